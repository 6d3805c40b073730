import { describe, expect, it } from 'vitest';
import { invalidFixtures, lookupFrom, validFixtures } from '../__fixtures__/load.ts';
import { DEFINITION_KINDS } from '../kinds.ts';
import { PROBLEM_CODES } from './messages.ts';
import { validateBundle, validateDefinition } from './validate.ts';

const valid = validFixtures();
const invalid = invalidFixtures();

describe('valid fixtures', () => {
  it('cover every kind', () => {
    const kinds = new Set(valid.map((f) => f.definition.kind));
    expect([...kinds].sort()).toEqual([...DEFINITION_KINDS].sort());
  });

  it.each(valid.map((f) => [f.name, f.definition] as const))('%s has no problems', (_name, definition) => {
    expect(validateDefinition(definition).problems).toEqual([]);
  });

  it('resolve each other as a bundle with every lookup function given', () => {
    const keys = (kind: string) =>
      valid.filter((f) => f.definition.kind === kind).map((f) => String(f.definition.key));
    const result = validateBundle(
      valid.map((f) => f.definition),
      {
        hasDefinition: () => false,
        formFields: () => undefined,
        hasGroup: (g) => ['service-desk', 'second-line'].includes(g),
        hasUser: (u) => u === 'alice',
      },
    );
    expect([...result]).toEqual([]);
    expect(keys('form')).toContain('demo-incident');
  });
});

describe('invalid fixtures', () => {
  it.each(invalid.map((f) => [f.name, f] as const))(
    '%s reports exactly what it declares',
    (_name, fixture) => {
      const result = validateDefinition(fixture.definition, lookupFrom(fixture.lookup));
      const got = result.problems.map((p) => ({ code: p.code, path: p.path }));
      expect(result.ok).toBe(false);
      expect(sortProblems(got)).toEqual(sortProblems(fixture.expect));
    },
  );

  it('every problem code has at least one fixture', () => {
    const covered = new Set(invalid.flatMap((f) => f.expect.map((e) => e.code)));
    const missing = PROBLEM_CODES.filter((code) => !covered.has(code));
    expect(missing).toEqual([]);
  });

  it('fixtures only expect codes that exist', () => {
    const unknown = invalid
      .flatMap((f) => f.expect.map((e) => e.code))
      .filter((c) => !PROBLEM_CODES.includes(c as never));
    expect(unknown).toEqual([]);
  });

  it.each(invalid.map((f) => [f.name, f] as const))(
    '%s: messages are bilingual and name what is at fault',
    (_name, fixture) => {
      const definition = fixture.definition as { nodes?: { id: string }[]; edges?: { id: string }[] };
      for (const problem of validateDefinition(fixture.definition, lookupFrom(fixture.lookup)).problems) {
        expect(problem.message['zh-CN']).not.toBe('');
        expect(problem.message.en).not.toBe('');
        expect(problem.message['zh-CN']).not.toBe(problem.message.en);
        // Chinese text really is Chinese, English text has none.
        expect(problem.message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        expect(problem.message.en).not.toMatch(/[\u4e00-\u9fff]/);
        if (problem.code === 'ref.field')
          expect(problem.message.en).toContain(fieldAt(fixture.definition, problem.path));
        if (problem.nodeId) expect(problem.message.en).toContain(problem.nodeId);
        if (problem.edgeId) expect(problem.message.en).toContain(problem.edgeId);
        const [, collection, index] = problem.path.split('/');
        if (collection === 'nodes' && index && /^\d+$/.test(index) && definition.nodes?.[Number(index)]?.id) {
          expect(problem.nodeId).toBe(definition.nodes[Number(index)]?.id);
        }
        if (collection === 'edges' && index && /^\d+$/.test(index) && definition.edges?.[Number(index)]?.id) {
          expect(problem.edgeId).toBe(definition.edges[Number(index)]?.id);
        }
      }
    },
  );
});

function sortProblems(list: { code: string; path: string }[]) {
  return [...list].sort((a, b) => (a.code + a.path).localeCompare(b.code + b.path));
}

/** The field key a ref.field problem points at: the string at the path, or its last segment (a map key). */
function fieldAt(definition: unknown, path: string): string {
  const segments = path.split('/').slice(1);
  let value: unknown = definition;
  for (const s of segments) value = (value as Record<string, unknown> | undefined)?.[s];
  return typeof value === 'string' ? value : (segments[segments.length - 1] ?? '');
}
