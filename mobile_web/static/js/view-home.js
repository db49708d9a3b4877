// The home screen: what is still to do (today's first), then what is done, with the phone's own state.
import { fmtDate, h, mount } from './dom.js';
import { t, tx } from './i18n.js';

// What the lead changed: inspections cancelled or no longer the team's, with the reason.
function leftList(notices, dismiss) {
  if (!notices?.length) return null;
  return h('section', { class: 'card notices', role: 'alert' },
    h('h2', { text: t('Changes from the lead') }),
    h('ul', { class: 'list' }, notices.map((n) => h('li', { class: 'item' },
      h('strong', { text: n.why === 'cancelled' ? t('Cancelled: %(unit)s', { unit: n.unit }) : t('No longer assigned to your team: %(unit)s', { unit: n.unit }) }),
      n.why === 'cancelled' && n.reason ? h('p', { class: 'note', text: t('Reason: %(reason)s', { reason: n.reason }) }) : null,
      n.why === 'gone' ? h('p', { class: 'meta', text: t('The lead gave it to another team or withdrew its plan.') }) : null,
      n.local ? h('p', { class: 'warn', text: t('What you recorded for it stays on this phone but can no longer be sent.') }) : null))),
    h('button', { type: 'button', name: 'dismiss-notices', onclick: dismiss, text: t('OK, understood') }));
}

const OPEN = ['planned', 'in_progress', 'returned'];
// Still the team's to finish: open on the server, or not yet all sent from this phone.
const UNSENT = ['draft', 'queued', 'waiting', 'sending', 'conflict', 'rejected', 'photo_problem'];

const localDay = () => {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
};

export function renderHome({ list, states, waiting = {}, online, storageLow, me, notices = [], dismissNotices = null }) {
  const today = localDay();
  const isToday = (insp) => insp.window_start && insp.window_start <= today && (insp.window_end || insp.window_start) >= today;
  const todo = list.filter((i) => OPEN.includes(i.status) || UNSENT.includes(states[i.uuid]));
  const done = list.filter((i) => !todo.includes(i));
  // Today's first, then by the start of the window; done: the latest first.
  todo.sort((a, b) => (isToday(b) - isToday(a)) || (a.window_start || '').localeCompare(b.window_start || ''));
  done.sort((a, b) => (b.window_start || '').localeCompare(a.window_start || ''));
  const card = (insp, open) => {
    const now = open && isToday(insp);
    const state = states[insp.uuid];
    const when = insp.window_start ? `${fmtDate(insp.window_start)}${insp.window_end && insp.window_end !== insp.window_start ? ` – ${fmtDate(insp.window_end)}` : ''}` : '';
    return h('li', {}, h('a', { class: `item card-link${now ? ' today' : ''}`, href: `#/i/${insp.uuid}`, 'data-uuid': insp.uuid },
      h('div', { class: 'row' }, h('strong', { class: 'unit', text: insp.unit_name }),
        h('span', { class: `badge status-${insp.status}`, text: t(`status.${insp.status}`) })),
      h('div', { class: 'meta', text: tx(insp.checklist?.title) || insp.checklist_key }),
      h('div', { class: 'row meta' }, h('span', { class: `badge kind-${insp.kind}`, text: t(`kind.${insp.kind}`) }),
        when ? h('span', { class: 'when' }, now ? h('strong', { class: 'today-mark', text: `${t('Today')} · ` }) : null, when) : null),
      state ? h('div', {}, h('span', { class: `badge local-${state}`, text: t(`local.${state}`) })) : null,
      waiting[insp.uuid] ? h('p', { class: 'waiting', text: waiting[insp.uuid] }) : null));
  };
  const section = (name, title, items, open, empty) => h('section', { class: `home-${name}`, 'aria-labelledby': `h-${name}` },
    h('h2', { id: `h-${name}`, text: `${title} (${items.length})` }),
    items.length ? h('ul', { class: 'list' }, items.map((i) => card(i, open))) : h('p', { class: 'empty', text: empty }));
  mount(h('div', { class: 'screen' },
    storageLow ? h('p', { class: 'flash flash-error', role: 'alert', text: t('The phone is running out of storage. Send your inspections soon.') }) : null,
    online ? null : h('p', { class: 'flash offline', role: 'status', text: t('Offline: your work is saved on this phone and will be sent later.') }),
    leftList(notices, dismissNotices),
    h('h1', { text: t('Inspections') }),
    me ? h('p', { class: 'who' }, h('span', { class: 'name', text: me.full_name || me.username }),
      h('span', { class: 'role', text: t(`role.${me.role}`) })) : null,
    list.length ? [section('todo', t('To do'), todo, true, t('Nothing left to do.')),
      done.length ? section('done', t('Finished'), done, false, '') : null]
      : h('p', { class: 'empty', text: t('No inspections assigned to your team.') }),
    online ? h('form', { method: 'post', action: '/logout', class: 'signout' }, h('button', { type: 'submit', class: 'link', text: t('Sign out') })) : null));
}

// Someone who does not conduct inspections opened the phone app: say whose app
// it is and send them to their own pages (a unit officer to the unit's portal).
export function renderElsewhere(me) {
  const officer = me.role === 'unit_officer';
  mount(h('div', { class: 'screen elsewhere' },
    h('h1', { text: t("This is the inspectors' app") }),
    h('p', { text: officer ? t("It is for the inspection team on site. Your unit's inspections, findings and remediation are in the unit portal.")
      : t('It is for the inspection team on site. Your work is on the KiemTra website.') }),
    h('a', { class: 'button primary wide', href: officer ? '/portal/' : '/', text: officer ? t('Open the unit portal') : t('Open KiemTra') }),
    h('form', { method: 'post', action: '/logout', class: 'signout' }, h('button', { type: 'submit', class: 'link', text: t('Sign out') }))));
}
