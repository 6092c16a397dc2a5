// HTML built by a tagged template that escapes every interpolated value unless it is already
// Html: nothing read from the kernel, the config or a check's detail reaches the page unescaped.

/** Markup that is already safe to place in a document. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  if (!/[&<>"']/.test(text)) return text; // most of a table: addresses, numbers
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

export type HtmlValue = Html | string | number | undefined | null | false | readonly HtmlValue[];

function part(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(part).join('');
}

/** markup`<td>${text}</td>`: values are escaped, Html values and arrays of them are kept. */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += part(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
