// Tiny DOM helpers: build elements without innerHTML, listeners without inline handlers.
import { fmtDay, fmtMoment } from './dates.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function mount(node) {
  const main = $('#view');
  main.replaceChildren(node);
  document.body.dataset.view = location.hash || '#/'; // which screen is drawn (tests wait on it)
  window.scrollTo(0, 0);
}

// A moment as the page's language writes it: 03/12/2026 16:28 (3 Dec 2026 16:28).
export const fmtTime = (iso) => fmtMoment(iso);

// <input type=datetime-local> works in local time; the API in ISO with offset.
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
export const fromLocalInput = (v) => (v ? new Date(v).toISOString() : null);

// Numbers, distances and dates in the user's language ("1.234 m", "96,5 %" in Vietnamese).
const locale = () => document.documentElement.lang || 'vi';
export const fmtNumber = (n, digits = 0) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
// Metres up to 10 km (what a person paces out), kilometres beyond.
export const fmtDistance = (m) => (m < 10000 ? `${fmtNumber(Math.round(m))}\u00a0m` : `${fmtNumber(m / 1000, 1)}\u00a0km`);
export const fmtDate = (isoDate) => fmtDay(isoDate);

// A modal question in the page (not window.confirm, which phones style badly and
// some in-app browsers suppress): resolves true when the person confirms.
export function ask({ title, lines = [], note = null, ok, cancel, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'ask', 'aria-labelledby': 'ask-title' });
    const close = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    // The parts not given are left out (append() would write them as the text "null").
    dialog.append(...[h('h2', { id: 'ask-title', text: title }),
      lines.length ? h('ul', { class: 'ask-lines' }, lines.map((l) => h('li', { class: l.warn ? 'warn' : null, text: l.text ?? l }))) : null,
      note ? h('p', { class: 'meta', text: note }) : null,
      h('div', { class: 'row' },
        h('button', { type: 'button', name: 'ask-cancel', text: cancel, onclick: () => close(false) }),
        h('button', { type: 'button', name: 'ask-ok', class: danger ? 'danger-fill' : 'primary', text: ok, onclick: () => close(true) }))]
      .filter(Boolean));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
