// `namePattern`: which registry server names to keep. `/…/flags` is a regular expression; anything
// else is a glob where `*` matches any run of characters (slashes included, since registry names
// are `namespace/name`) and `?` matches one.

export type NameFilter = (name: string) => boolean;

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/;

/** Build the matcher; throws a SyntaxError for an invalid regular expression. */
export function compileNamePattern(pattern: string | undefined): NameFilter {
  if (pattern === undefined) return () => true;
  const literal = REGEX_LITERAL.exec(pattern);
  // The g and y flags make test() stateful (lastIndex), which a filter must never be.
  const regex = literal ? new RegExp(literal[1] ?? '', (literal[2] ?? '').replace(/[gy]/g, '')) : globToRegExp(pattern);
  return (name) => regex.test(name);
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
