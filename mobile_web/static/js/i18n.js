// The app's texts come from the server's catalogue (Flask-Babel), in the user's language.
let messages = {};
export const lang = document.documentElement.lang || 'vi';

export async function loadMessages() {
  const r = await fetch('/app/messages.json');
  messages = await r.json();
}

export function t(key, params = {}) {
  let s = messages[key] ?? key;
  for (const [k, v] of Object.entries(params)) s = s.replaceAll(`%(${k})s`, v);
  return s;
}

// A checklist text: a string or {language: string}; the user's language, then Vietnamese.
export function tx(text) {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.vi ?? Object.values(text)[0] ?? '';
}
