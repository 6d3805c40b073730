import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { validFixtures } from '../__fixtures__/load.ts';
import { DEFINITION_KINDS, type DefinitionKind } from '../kinds.ts';
import { anyDefinitionJsonSchema, definitionJsonSchemas } from './index.ts';

/** A fresh ajv, as Monaco or any other consumer would use the exported schemas. */
function consumerAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, discriminator: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

describe('definitionJsonSchemas', () => {
  it('has a schema per kind that survives a JSON round trip unchanged', () => {
    expect(Object.keys(definitionJsonSchemas).sort()).toEqual([...DEFINITION_KINDS].sort());
    for (const kind of DEFINITION_KINDS) {
      const schema = definitionJsonSchemas[kind];
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
      expect(Object.getOwnPropertySymbols(schema)).toEqual([]);
    }
    expect(JSON.parse(JSON.stringify(anyDefinitionJsonSchema))).toEqual(anyDefinitionJsonSchema);
  });

  it('accepts every valid fixture, so Monaco agrees with validateDefinition on shape', () => {
    const ajv = consumerAjv();
    const validators = new Map(
      DEFINITION_KINDS.map((k) => [k, ajv.compile(definitionJsonSchemas[k])] as const),
    );
    const anyValidator = consumerAjv().compile(anyDefinitionJsonSchema);
    for (const { name, definition } of validFixtures()) {
      const validate = validators.get(definition.kind as DefinitionKind);
      expect(validate, name).toBeDefined();
      expect(validate?.(definition), `${name}: ${JSON.stringify(validate?.errors)}`).toBe(true);
      expect(anyValidator(definition), `${name} (any)`).toBe(true);
    }
  });

  it('rejects unknown properties everywhere but free-form objects', () => {
    const validate = consumerAjv().compile(definitionJsonSchemas.process);
    const process = validFixtures().find((f) => f.name === 'process')?.definition as {
      nodes: Record<string, unknown>[];
    };
    const copy = structuredClone(process);
    (copy.nodes[1] as Record<string, unknown>).colour = 'red';
    expect(validate(copy)).toBe(false);
  });
});
