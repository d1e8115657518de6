// Control characters (C0 but tab and LF, and DEL) as Unicode's pictures of them (NUL as U+2400), as the server's
// pages show them: a browser draws nothing for them, so the text shown would not be the data's.
// The rest of what those pages show as escapes (kg/invisible.py), as the console writes them (\x85, \u200b): C1
// controls, format characters (but the joiners, which Persian and emoji need), separators, private use.
const sahelInvisible = /[\x80-\x9f\u2028\u2029\p{Co}]|(?![\u200c\u200d])\p{Cf}/gu;
const sahelEscape = (c) => {
  const code = c.codePointAt(0);
  const [mark, digits] = code < 0x100 ? ["x", 2] : code < 0x10000 ? ["u", 4] : ["U", 8];
  return "\\" + mark + code.toString(16).padStart(digits, "0");
};
window.sahelShown = (text) => String(text).replace(/[\x00-\x08\x0b-\x1f\x7f]/g,
  (c) => String.fromCharCode(c === "\x7f" ? 0x2421 : 0x2400 + c.charCodeAt(0))).replace(sahelInvisible, sahelEscape);
// A row of a view's data with its text so shown, for all that is drawn from it.
window.sahelShownRow = (row) => Object.fromEntries(Object.entries(row).map(
  ([name, value]) => [name, typeof value === "string" ? window.sahelShown(value) : value]));

// Text from the data, isolated for its direction: a <bdi> takes the direction of its first strong letter and
// keeps the text around it in its own, so an Arabic label in an English line cannot reorder that line.
window.sahelBdi = function (text) {
  const bdi = document.createElement("bdi");
  bdi.textContent = window.sahelShown(text);
  return bdi;
};
