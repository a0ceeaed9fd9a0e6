import { $ } from './dom.js';

const HIDE_KEY = 'referee.monitor.hideHeader';

/** The header toggle, its choice kept in localStorage. */
export function bindHeaderToggle(): void {
  const headerBtn = $('toggle-header');
  const applyHeader = (hidden: boolean): void => {
    document.body.classList.toggle('header-hidden', hidden);
    headerBtn.textContent = hidden ? 'Show header' : 'Hide header';
  };
  applyHeader(localStorage.getItem(HIDE_KEY) === '1');
  headerBtn.addEventListener('click', () => {
    const hidden = !document.body.classList.contains('header-hidden');
    localStorage.setItem(HIDE_KEY, hidden ? '1' : '0');
    applyHeader(hidden);
  });
}

/** The toolbar's chart and list buttons: each shows or hides its box; `shown` is told which chart came back. */
export function bindPanelToggles(shown: (chart: string) => void): void {
  document.querySelectorAll<HTMLElement>('.chart-toggle').forEach((btn) =>
    btn.addEventListener('click', () => {
      const box = $(`box-${btn.dataset.chart}`);
      const on = box.classList.toggle('hidden') === false;
      btn.classList.toggle('on', on);
      if (on && btn.dataset.chart) shown(btn.dataset.chart);
    }),
  );
  document.querySelectorAll<HTMLElement>('.list-toggle').forEach((btn) =>
    btn.addEventListener('click', () => {
      const on = $(`list-${btn.dataset.list}`).classList.toggle('hidden') === false;
      btn.classList.toggle('on', on);
    }),
  );
}
