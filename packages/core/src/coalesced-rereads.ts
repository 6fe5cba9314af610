// Re-reads of the lists an upstream says changed, one at a time per connection. A change announced
// while a read runs queues one more read, of every list announced meanwhile, however many
// announcements arrive: an upstream that sends list_changed thousands of times in a burst (hostile,
// or buggy and announcing a change after every call) costs two reads, not one per notification.
// The read that follows the last announcement starts after it, so the lists end as they are.
import type { CatalogList } from './upstream-catalog.js';

export function coalescedRereads(reread: (lists: readonly CatalogList[]) => Promise<void>, onError: (lists: readonly CatalogList[], error: unknown) => void): (lists: readonly CatalogList[]) => void {
  const pending = new Set<CatalogList>();
  let running = false;
  const drain = async (): Promise<void> => {
    running = true;
    while (pending.size > 0) {
      const lists = [...pending];
      pending.clear();
      try {
        await reread(lists);
      } catch (error) {
        onError(lists, error);
      }
    }
    running = false;
  };
  return (lists) => {
    for (const list of lists) pending.add(list);
    if (!running) void drain();
  };
}
