import { compileExpression } from '@opsloom/spec';

/** A schedule's field values: CEL expressions over `now` (epoch ms of the occurrence) and `schedule`. */
export function computeScheduleValues(
  values: Record<string, string>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, source] of Object.entries(values))
    out[field] = compileExpression(source).evaluate(context);
  return out;
}
