import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validFixtures } from '../__fixtures__/load.ts';
import { validateBundle, validateDefinition } from './validate.ts';

const fixture = (name: string) =>
  structuredClone(validFixtures().find((f) => f.name === name)?.definition) as Record<string, unknown>;

describe('validateDefinition', () => {
  it('returns every independent problem at once', () => {
    const process = fixture('process-child');
    (process.nodes as Record<string, unknown>[]).push({ id: 's2', type: 'start', position: { x: 0, y: 0 } });
    (process.edges as Record<string, unknown>[]).push(
      { id: 'x1', source: 's2', target: 't' },
      { id: 'x2', source: 'e', target: 't' },
    );
    (process.edges as Record<string, unknown>[])[0]!.condition = 'a ==';
    const { ok, problems } = validateDefinition(process);
    expect(ok).toBe(false);
    expect(problems.map((p) => p.code).sort()).toEqual([
      'expression.syntax',
      'process.end.outgoing',
      'process.start.count',
    ]);
  });

  it('still runs graph checks when the shape is wrong', () => {
    const process = fixture('process-child');
    const nodes = process.nodes as Record<string, unknown>[];
    nodes[1]!.name = 42; // shape problem
    nodes.push({ id: 'lost', type: 'end', position: { x: 0, y: 0 } }); // graph problem
    const codes = validateDefinition(process).problems.map((p) => p.code);
    expect(codes).toContain('schema.type');
    expect(codes).toContain('process.node.unreachable');
  });

  it('names a kind that is not a string without calling its toString (a counterexample fast-check found)', () => {
    const result = validateDefinition({ kind: { toString: 0 }, key: 'x' });
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ code: 'definition.kind', path: '/kind' });
    expect(result.problems[0]!.message.en).toContain('{"toString":0}');
  });

  it('never throws, whatever is put anywhere in a definition', () => {
    const defs = validFixtures().map((f) => f.definition);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: defs.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.jsonValue(),
        (which, route, value) => {
          const def = structuredClone(defs[which]) as unknown;
          replaceAlong(def, route, value);
          const result = validateDefinition(def);
          expect(Array.isArray(result.problems)).toBe(true);
          expect(result.ok).toBe(result.problems.length === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Walks into `target` choosing children by `route` and replaces the last one reached. */
function replaceAlong(target: unknown, route: number[], value: unknown): void {
  let current = target as Record<string, unknown>;
  for (let i = 0; i < route.length; i++) {
    const keys = Object.keys(current);
    if (keys.length === 0) return;
    const key = keys[(route[i] as number) % keys.length] as string;
    const next = current[key];
    if (i === route.length - 1 || next === null || typeof next !== 'object') {
      current[key] = value;
      return;
    }
    current = next as Record<string, unknown>;
  }
}

describe('validateBundle', () => {
  const form = () => fixture('form');
  const process = () => fixture('process-child');

  it('resolves references between the definitions of the bundle', () => {
    const lookup = { hasDefinition: () => false, formFields: () => undefined };
    expect(validateDefinition(process(), lookup).problems.map((p) => p.code)).toEqual(['ref.form']);
    expect([...validateBundle([form(), process()], lookup)]).toEqual([]);
  });

  it('checks fields against a form of the bundle', () => {
    const p = process();
    (p.nodes as Record<string, unknown>[])[1]!.fieldAccess = { editable: ['title', 'nope'] };
    const result = validateBundle([form(), p]);
    expect([...result.keys()]).toEqual([1]);
    expect(result.get(1)?.map((x) => [x.code, x.path, x.nodeId])).toEqual([
      ['ref.field', '/nodes/1/fieldAccess/editable/1', 't'],
    ]);
  });

  it("checks statuses against the bundle's form once it declares them", () => {
    const p = process();
    (p.nodes as Record<string, unknown>[])[1]!.status = 'working';
    // A form without statuses leaves them free.
    expect([...validateBundle([form(), p])]).toEqual([]);
    const f = form();
    f.statuses = [
      { key: 'doing', name: { 'zh-CN': '处理中', en: 'Doing' }, category: 'active' },
      { key: 'done', name: 'Done', category: 'done' },
    ];
    expect(
      validateBundle([f, p])
        .get(1)
        ?.map((x) => [x.code, x.path]),
    ).toEqual([['ref.status', '/nodes/1/status']]);
    (p.nodes as Record<string, unknown>[])[1]!.status = 'doing';
    expect([...validateBundle([f, p])]).toEqual([]);
  });

  it('refuses two forms numbering records alike, in the bundle or beside a published one', () => {
    const other = { ...form(), key: 'other-form' };
    expect(
      validateBundle([form(), other])
        .get(1)
        ?.map((x) => [x.code, x.path]),
    ).toEqual([['form.numberPrefix.taken', '/numberPrefix']]);
    const published = { formsNumberedWith: (p: string) => (p === form().numberPrefix ? ['elsewhere'] : []) };
    expect(
      validateBundle([form()], published)
        .get(0)
        ?.map((x) => x.code),
    ).toEqual(['form.numberPrefix.taken']);
    // A new version of the published form itself keeps its prefix.
    const itself = { formsNumberedWith: () => [form().key as string] };
    expect([...validateBundle([form()], itself)]).toEqual([]);
  });

  it('falls back to the lookup for definitions outside the bundle', () => {
    const p = process();
    p.form = 'elsewhere';
    const result = validateBundle([form(), p], {
      hasDefinition: (kind, key) => kind === 'form' && key === 'elsewhere',
    });
    expect([...result]).toEqual([]);
    const missing = validateBundle([form(), p], { hasDefinition: () => false });
    expect(missing.get(1)?.map((x) => x.code)).toEqual(['ref.form']);
  });

  it('does not judge references leaving the bundle when there is no lookup', () => {
    const p = process();
    p.form = 'elsewhere';
    expect([...validateBundle([p])]).toEqual([]);
  });
});
