/** RFC 6901 JSON Pointer helpers: the `path` of every Problem is a pointer into the definition. */

export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function child(base: string, ...segments: (string | number)[]): string {
  return base + pointer(...segments);
}

export function segmentsOf(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
