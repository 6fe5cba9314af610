// Small text helpers shared by the commands' readable output.
export const seconds = (s: number): string => `${s.toFixed(3)}s`;
export const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
export const list = (items: readonly string[]): string => `[${items.map((i) => `'${i}'`).join(', ')}]`;

export function resultText(result: { content?: Array<{ type: string; text?: string }> } | undefined): string {
  if (!result?.content) return '';
  return result.content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n');
}
