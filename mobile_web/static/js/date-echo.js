// A date picker shows the chosen date in the phone's own format: a US-set phone
// shows 12/18/2026, which a reader in Vietnam takes for the 12th of the 18th month.
// Beside every date (and date-and-time) field, the same value as the page's language
// writes it, updated as it changes; fields drawn later (the field app) get theirs too.
import { fmtDay, fmtMoment } from './dates.js';

const FIELDS = 'input[type=date], input[type=datetime-local]';

function echo(input) {
  if (input.dataset.echo) return;
  input.dataset.echo = '1';
  const out = document.createElement('output');
  out.className = 'date-echo';
  if (input.id) out.htmlFor = input.id;
  out.setAttribute('aria-live', 'polite');
  const show = () => {
    out.textContent = input.type === 'date' ? fmtDay(input.value) : fmtMoment(input.value);
  };
  input.addEventListener('input', show);
  input.addEventListener('change', show);
  // Under the field; under its row when it sits in one beside a button ("Now").
  const row = input.parentElement?.classList.contains('row') ? input.parentElement : null;
  (row || input).after(out);
  show();
}

function scan(root) {
  if (root.matches?.(FIELDS)) echo(root);
  root.querySelectorAll?.(FIELDS).forEach(echo);
}

scan(document);
new MutationObserver((changes) => {
  for (const change of changes) change.addedNodes.forEach((node) => { if (node.nodeType === 1) scan(node); });
}).observe(document.body, { childList: true, subtree: true });
