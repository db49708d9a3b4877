// The inspection page of a long checklist: filter the answers to the failed ones or
// those with photos, findings, notes or comments; fold and unfold the sections; open
// a comment box only for the items the lead writes about. Without this script the
// page shows every answer and every comment box, which is what the server sends.
import { h } from './dom.js';

function setup(bar) {
  const sections = [...document.querySelectorAll('details.answer-section')];
  const items = sections.flatMap((s) => [...s.querySelectorAll('li.item')]);
  const empty = document.querySelector('.filter-empty');
  bar.hidden = false;

  function show(filter) {
    for (const button of bar.querySelectorAll('[data-filter]')) {
      button.setAttribute('aria-pressed', String(button.dataset.filter === filter));
    }
    let shown = 0;
    for (const section of sections) {
      let inSection = 0;
      for (const item of section.querySelectorAll('li.item')) {
        const keep = filter === 'all' || item.dataset[filter] === '1';
        item.hidden = !keep;
        if (keep) inSection += 1;
      }
      section.hidden = inSection === 0;
      // A filter opens the sections that have something to show.
      if (filter !== 'all' && inSection) section.open = true;
      shown += inSection;
    }
    empty.textContent = bar.dataset.none;
    empty.hidden = shown > 0;
  }

  bar.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    if (button.dataset.filter) show(button.dataset.filter);
    if (button.dataset.sections) for (const s of sections) s.open = button.dataset.sections === 'open';
  });

  // A comment box per item on demand: a button until it is wanted, a box at once
  // where something was already typed (the page came back refused).
  for (const item of items) {
    const field = item.querySelector('label.comment-field');
    if (!field) continue;
    const box = field.querySelector('textarea');
    if (box.value.trim()) continue;
    field.hidden = true;
    const open = h('button', { type: 'button', class: 'link add-comment', text: bar.dataset.commentLabel });
    open.addEventListener('click', () => { field.hidden = false; open.remove(); box.focus(); });
    field.before(open);
  }
}

const bar = document.querySelector('.answer-filters');
if (bar) setup(bar);

// The revision form offers the chosen item's own controls only: the others are
// hidden and disabled, so they are neither seen nor sent. Without this script
// every item's controls are shown and the server reads the chosen item's.
function setupRevision(form) {
  const select = form.querySelector('select[name="item_key"]');
  const sets = [...form.querySelectorAll('fieldset.revise-value')];
  if (!select || !sets.length) return;
  function show() {
    for (const set of sets) {
      const mine = set.dataset.item === select.value;
      set.hidden = !mine;
      set.disabled = !mine;
    }
  }
  select.addEventListener('change', show);
  show();
}

const revision = document.querySelector('form[action$="/revise"]');
if (revision) setupRevision(revision);
