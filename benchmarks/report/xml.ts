// Escaping for the hand-written SVG: text between tags, and attribute values (quoted with ").
export const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeAttr = (s: string) => escape(s).replace(/"/g, '&quot;');
