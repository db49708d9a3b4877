// The home screen: the team's inspections, today's first, with their local state.
import { h, mount } from './dom.js';
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

export function renderHome({ list, states, online, storageLow, me, notices = [], dismissNotices = null }) {
  const today = new Date().toISOString().slice(0, 10);
  const card = (insp) => {
    const isToday = insp.window_start && insp.window_start <= today && (insp.window_end || insp.window_start) >= today;
    const state = states[insp.uuid];
    return h('li', {}, h('a', { class: `item card-link${isToday ? ' today' : ''}`, href: `#/i/${insp.uuid}` },
      h('div', { class: 'row' }, h('strong', { class: 'unit', text: insp.unit_name }),
        h('span', { class: `badge status-${insp.status}`, text: t(`status.${insp.status}`) })),
      h('div', { class: 'meta', text: tx(insp.checklist?.title) || insp.checklist_key }),
      h('div', { class: 'row meta' }, h('span', { class: `badge kind-${insp.kind}`, text: t(`kind.${insp.kind}`) }),
        insp.window_start ? h('span', { text: `${isToday ? `${t('Today')} · ` : ''}${insp.window_start} – ${insp.window_end || ''}` }) : null),
      state ? h('div', {}, h('span', { class: `badge local-${state}`, text: t(`local.${state}`) })) : null));
  };
  mount(h('div', { class: 'screen' },
    storageLow ? h('p', { class: 'flash flash-error', role: 'alert', text: t('The phone is running out of storage. Send your inspections soon.') }) : null,
    online ? null : h('p', { class: 'flash offline', role: 'status', text: t('Offline: your work is saved on this phone and will be sent later.') }),
    leftList(notices, dismissNotices),
    h('h1', { text: t('Inspections') }),
    me ? h('p', { class: 'meta', text: me.full_name || me.username }) : null,
    list.length ? h('ul', { class: 'list' }, list.map(card)) : h('p', { class: 'empty', text: t('No inspections assigned to your team.') }),
    online ? h('form', { method: 'post', action: '/logout', class: 'signout' }, h('button', { type: 'submit', class: 'link', text: t('Sign out') })) : null));
}
