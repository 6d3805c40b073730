import type { ConditionForm } from '@opsloom/spec';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';

/**
 * A form's schema and uiSchema (its draft, else its published version), for what reads a form's
 * field titles and choice labels, such as condition summaries. Fetched once per form and page
 * load; `undefined` until it arrives or when there is no such form.
 */
const cache = new Map<string, Promise<ConditionForm | undefined>>();

function load(formKey: string): Promise<ConditionForm | undefined> {
  let p = cache.get(formKey);
  if (!p) {
    p = api.get('form', formKey).then(
      (d) => {
        const def = (d.definition ?? d.published) as ConditionForm | null;
        return def ? { schema: def.schema, uiSchema: def.uiSchema } : undefined;
      },
      () => {
        cache.delete(formKey);
        return undefined;
      },
    );
    cache.set(formKey, p);
  }
  return p;
}

export function useFormSchema(formKey: string | undefined): ConditionForm | undefined {
  const [form, setForm] = useState<{ key: string; form: ConditionForm | undefined }>();
  useEffect(() => {
    if (!formKey || formKey === '*') return;
    let live = true;
    void load(formKey).then((f) => live && setForm({ key: formKey, form: f }));
    return () => {
      live = false;
    };
  }, [formKey]);
  return form && form.key === formKey ? form.form : undefined;
}
