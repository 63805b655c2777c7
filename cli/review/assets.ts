/**
 * The review page's own stylesheet and script, served from the package (no CDN, no font): kept as
 * strings so `tsc` ships them in dist/ with the rest. The script is plain DOM code: selection of
 * face cards (click, shift-click, space), keyboard review (arrows, y, n, u) and error display; every
 * change itself is an htmx form post.
 */
export const APP_CSS = `
:root { --bg: #f6f5f2; --card: #fff; --ink: #1d1d1f; --mute: #6b6b70; --line: #dcdad5; --accent: #2b59c3;
  --gray: #f3c969; --bad: #b3261e; --ok: #1b7f3b; --sel: #2b59c3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #222; color: #eee; position: sticky; top: 0; z-index: 5; }
header a { color: #eee; text-decoration: none; font-weight: 600; }
header a.here { text-decoration: underline; }
header form { margin-left: auto; }
main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.flash { padding: .5rem .8rem; border-radius: 6px; background: #e8f0fe; margin-bottom: .8rem; }
.flash.error { background: #fde7e7; color: var(--bad); }
.flash:empty { display: none; }
.hint, .mute { color: var(--mute); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: .8rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .7rem; }
.card h3 { margin: 0 0 .4rem; font-size: 1rem; display: flex; gap: .5rem; align-items: center; }
.card h3 a { color: var(--ink); }
.faces { display: flex; flex-wrap: wrap; gap: .4rem; }
.face { position: relative; width: 104px; border: 2px solid transparent; border-radius: 6px; background: var(--card);
  cursor: pointer; padding: 2px; outline: none; }
.big .face { width: 136px; }
.face img, .face .noimg { width: 100%; height: auto; aspect-ratio: 1; display: block; border-radius: 4px; background: #ddd; object-fit: cover; }
.face .noimg { display: flex; align-items: center; justify-content: center; font-size: 11px; color: var(--mute); text-align: center; }
.face input { position: absolute; top: 5px; left: 5px; margin: 0; }
.face .meta { font-size: 11px; color: var(--mute); display: flex; justify-content: space-between; gap: 2px; }
.face .meta a { color: var(--accent); }
.face.gray { background: #fff6dc; border-color: var(--gray); }
.face.selected { border-color: var(--sel); box-shadow: 0 0 0 2px var(--sel) inset; }
.face:focus { box-shadow: 0 0 0 3px #ff9f1c; }
.via-human { color: var(--ok); font-weight: 600; }
.swatch { background: #fff6dc; border: 2px solid var(--gray); border-radius: 4px; padding: 0 .3rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .4rem 0 .7rem; position: sticky; top: 2.6rem;
  background: var(--bg); padding: .4rem 0; z-index: 4; }
button, input[type=text], select { font: inherit; padding: .3rem .6rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; }
button { cursor: pointer; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.danger { color: var(--bad); }
kbd { color: var(--ink); border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 .3rem; font-size: 11px; background: #fff; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
td, th { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
.photo { position: relative; display: inline-block; max-width: 100%; }
.photo img { max-width: 100%; max-height: 75vh; display: block; }
.photo svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.photo rect { fill: none; stroke: #ffd400; stroke-width: 3; vector-effect: non-scaling-stroke; }
.photo rect.unknown { stroke: #ff5a5a; }
.photo text { fill: #ffd400; font-weight: 700; paint-order: stroke; stroke: #000; stroke-width: 3px; }
.missing { padding: 1.2rem; background: #fde7e7; border: 1px dashed var(--bad); border-radius: 8px; max-width: 720px; }
.hint-row { margin: .2rem 0; }
.inline { display: inline-flex; gap: .3rem; align-items: center; flex-wrap: wrap; }
.row { display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap; }
.facerow { display: flex; gap: .8rem; align-items: center; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .5rem; margin-bottom: .5rem; }
.facerow .face { cursor: default; }
`;

export const APP_JS = `
(function () {
  'use strict';
  var lastClicked = null;
  var focusIndex = -1;
  function cards() { return Array.prototype.slice.call(document.querySelectorAll('.face[data-face]')); }
  function sync(card) {
    var box = card.querySelector('input[type=checkbox]');
    card.classList.toggle('selected', !!(box && box.checked));
  }
  function count() {
    var n = document.querySelectorAll('.face input[type=checkbox]:checked').length;
    document.querySelectorAll('[data-selected-count]').forEach(function (el) { el.textContent = String(n); });
  }
  function toggle(card, value) {
    var box = card.querySelector('input[type=checkbox]');
    if (!box) return;
    box.checked = value === undefined ? !box.checked : value;
    sync(card);
    count();
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest('a, button, select, input[type=text]')) return;
    var card = t.closest('.face[data-face]');
    if (!card || !card.querySelector('input[type=checkbox]')) return;
    if (t.matches('input[type=checkbox]')) { sync(card); count(); lastClicked = card; return; }
    e.preventDefault();
    var list = cards();
    if (e.shiftKey && lastClicked && list.indexOf(lastClicked) >= 0) {
      var a = list.indexOf(lastClicked), b = list.indexOf(card);
      var lo = Math.min(a, b), hi = Math.max(a, b);
      for (var i = lo; i <= hi; i++) toggle(list[i], true);
    } else toggle(card);
    lastClicked = card;
    card.focus();
  });
  function focusAt(i) {
    var list = cards();
    if (list.length === 0) return;
    focusIndex = Math.max(0, Math.min(list.length - 1, i));
    list[focusIndex].focus();
  }
  function rowStep(list, i, dir) {
    var top = list[i].offsetTop, left = list[i].offsetLeft, j = i;
    while (true) {
      j += dir;
      if (j < 0 || j >= list.length) return i;
      if (list[j].offsetTop !== top) break;
    }
    var best = j, bestDx = Infinity, row = list[j].offsetTop;
    for (var k = j; k >= 0 && k < list.length && list[k].offsetTop === row; k += dir) {
      var dx = Math.abs(list[k].offsetLeft - left);
      if (dx < bestDx) { bestDx = dx; best = k; }
    }
    return best;
  }
  function press(key) {
    var b = document.querySelector('[data-key="' + key + '"]');
    if (!b) return false;
    if ((key === 'y' || key === 'n') && document.querySelectorAll('.face input[type=checkbox]:checked').length === 0) {
      var list = cards();
      var card = list[focusIndex] || document.activeElement && document.activeElement.closest && document.activeElement.closest('.face[data-face]');
      if (card) toggle(card, true); else return false;
    }
    b.click();
    return true;
  }
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t instanceof Element && t.matches('input[type=text], select, textarea')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var list = cards();
    var current = document.activeElement && document.activeElement.closest ? document.activeElement.closest('.face[data-face]') : null;
    var i = current ? list.indexOf(current) : focusIndex;
    if (e.key === 'ArrowRight') { focusAt(i + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { focusAt(i - 1); e.preventDefault(); }
    else if (e.key === 'ArrowDown') { focusAt(i < 0 ? 0 : rowStep(list, i, 1)); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { focusAt(i < 0 ? 0 : rowStep(list, i, -1)); e.preventDefault(); }
    else if (e.key === ' ' || e.key === 'x') { if (i >= 0) { toggle(list[i]); e.preventDefault(); } }
    else if (e.key === 'y' || e.key === 'n' || e.key === 'u') { if (i >= 0) focusIndex = i; if (press(e.key)) e.preventDefault(); }
  });
  document.addEventListener('htmx:afterSwap', function () {
    cards().forEach(sync);
    count();
    if (focusIndex >= 0) focusAt(focusIndex);
  });
  document.addEventListener('htmx:responseError', function (e) {
    var flash = document.getElementById('flash');
    var xhr = e.detail && e.detail.xhr;
    if (flash && xhr) { flash.className = 'flash error'; flash.textContent = xhr.status + ': ' + (xhr.responseText || xhr.statusText); }
  });
  document.addEventListener('DOMContentLoaded', function () { cards().forEach(sync); count(); });
})();
`;
