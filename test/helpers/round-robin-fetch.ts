// A load balancer with no affinity, as a fetch for the SDK client: each request goes to the next
// gateway instance in turn. `served[i]` counts the requests instance i got.
export function roundRobinFetch(urls: readonly string[], served: number[]): typeof fetch {
  let next = 0;
  return (input, init) => {
    const i = next++ % urls.length;
    served[i] = (served[i] ?? 0) + 1;
    const url = new URL(input instanceof Request ? input.url : String(input));
    url.host = new URL(urls[i]!).host;
    return fetch(url, init);
  };
}
