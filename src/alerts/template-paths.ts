/** `{{ field.path }}` placeholders: dotted names and array indexes only, so a template can read fields and nothing else. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** The top-level alert fields a template may start from (see the Alert interface). */
export const TEMPLATE_ROOTS = [
  'dedupKey', 'id', 'status', 'rule', 'group', 'window', 'aggregates', 'summary',
  'host', 'netns', 'samples', 'loss', 'startsAt', 'endsAt', 'victim',
] as const;

/** Problems with a template's placeholders, empty when it is usable. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const path = m[1];
    if (!PATH.test(path)) problems.push(`placeholder {{${path}}} is not a field path like rule.id`);
    else if (!(TEMPLATE_ROOTS as readonly string[]).includes(path.split('.')[0]))
      problems.push(`placeholder {{${path}}} starts with an unknown alert field (known: ${TEMPLATE_ROOTS.join(', ')})`);
  }
  return problems;
}
