// maillage built-in map: the recruitment panel (issue 21). For the selected
// département it shows the recruitment dashboard (GET
// /v1/recruitments/dashboard) and draws the host structures (GET
// /v1/recruitments/structures) coloured by the prefect's opinion, their
// filled posts as a full disc inside the ring of their posts. It reads the
// page's handle window.maillage (app.js) and needs a token, kept for the
// tab in sessionStorage (never in the URL).
'use strict';

(async function () {
  const app = window.maillage;
  await app.started; // the map exists
  const { map, state } = app;
  const $ = (sel) => document.querySelector(sel);
  const fmtInt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
  const TOKEN_KEY = 'maillage.token'; // shared with the proposals' token (app.js)

  // Opinions of the prefect and their colours (Paul Tol's muted scheme,
  // colour-blind safe; none of the communes' or gap zones' colours).
  const AVIS = [
    { key: 'favorable', label: 'favorable', color: '#117733' },
    { key: 'reserve', label: 'réservé', color: '#ddcc77' },
    { key: 'defavorable', label: 'défavorable', color: '#882255' },
    { key: '', label: 'sans avis', color: '#7f7f7f' },
  ];
  const avisColor = ['match', ['coalesce', ['get', 'avis'], '']];
  for (const a of AVIS.slice(0, -1)) avisColor.push(a.key, a.color);
  avisColor.push(AVIS[AVIS.length - 1].color);

  // A structure is a ring whose size grows with its posts; the disc inside
  // has the ring's area times the share of its posts filled.
  const ringAt = (z0, k0) => ['+', z0, ['*', k0, ['sqrt', ['to-number', ['get', 'posts'], 1]]]];
  const ringRadius = ['interpolate', ['linear'], ['zoom'], 6, ringAt(3, 0.9), 9, ringAt(5.5, 1.8), 12, ringAt(8, 2.6)];
  const discAt = (z0, k0) => ['*', ['sqrt', ['to-number', ['get', 'filled_share'], 0]], ringAt(z0, k0)];
  const discRadius = ['interpolate', ['linear'], ['zoom'], 6, discAt(3, 0.9), 9, discAt(5.5, 1.8), 12, discAt(8, 2.6)];

  // Rows of the figures table: the département, then its phases.
  const PHASES = { 1: 'Phase 1 (public, associations)', 2: 'Phase 2 (privé)', 0: 'Phase inconnue' };
  const FIGURES = ['posts_requested', 'posts_favorable', 'posts_filled', 'candidates_available_in_reach'];

  const rc = { open: false, data: null }; // what the test and curious users read
  app.recruit = rc;

  // ---------- map layers ----------

  function addLayers() {
    if (map.getSource('recruit')) return;
    map.addSource('recruit', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: 'recruit-ring', type: 'circle', source: 'recruit',
      paint: { 'circle-radius': ringRadius, 'circle-color': '#ffffff', 'circle-stroke-color': avisColor, 'circle-stroke-width': 3.5 },
    });
    map.addLayer({
      id: 'recruit-filled', type: 'circle', source: 'recruit', filter: ['>', ['to-number', ['get', 'posts_filled'], 0], 0],
      paint: { 'circle-radius': discRadius, 'circle-color': avisColor },
    });
    map.on('click', 'recruit-ring', (e) => {
      const p = e.features[0].properties;
      const a = AVIS.find((x) => x.key === (p.avis || '')) || AVIS[AVIS.length - 1];
      new maplibregl.Popup({ closeButton: true }).setLngLat(e.lngLat)
        .setText(p.name + ' — avis ' + a.label + ', ' + p.posts_filled + ' / ' + p.posts + ' poste(s) pourvu(s)').addTo(map);
    });
  }

  function setStructures(fc) {
    addLayers();
    map.getSource('recruit').setData(fc || { type: 'FeatureCollection', features: [] });
    rc.drawn = fc ? fc.features.length : 0;
    const on = !!fc && $('#recruit-show').checked;
    for (const id of ['recruit-ring', 'recruit-filled']) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    $('#legend-recruit').hidden = !on;
  }

  function drawLegend() {
    const ul = $('#legend-recruit');
    for (const a of AVIS) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'sym sym-struct';
      sw.style.borderColor = a.color;
      li.append(sw, ' ' + a.label);
      ul.append(li);
    }
    const li = document.createElement('li');
    li.className = 'legend-fill';
    li.textContent = '◯ aucun poste pourvu · ◐ en partie · ● tous pourvus (taille : postes demandés)';
    ul.append(li);
  }

  // ---------- panel ----------

  function note(msg) {
    const el = $('#recruit-note');
    el.textContent = msg || '';
    el.hidden = !msg;
  }

  function clearFigures() {
    $('#recruit-figures').hidden = true;
    rc.data = null;
    setStructures(null);
  }

  // call fetches JSON with the tab's token; 401 and 403 open the token form.
  async function call(path) {
    try {
      return await app.api(path);
    } catch (err) {
      if (err.status === 401 || err.status === 403) {
        askToken(err.message);
        return null;
      }
      if (err.status === 503) {
        note('Suivi du recrutement indisponible sur ce serveur : ' + err.message);
        return null;
      }
      throw err;
    }
  }

  function askToken(msg) {
    clearFigures();
    note('Un jeton d\u2019accès est nécessaire (' + msg + ').');
    $('#recruit-token').hidden = false;
    $('#recruit-token-input').focus();
  }

  // datasets fills the selects with the candidates and structures datasets
  // holding rows of dep, newest first, keeping the user's choice.
  async function datasets(dep) {
    const r = await call('/v1/datasets');
    if (!r) return false;
    $('#recruit-token').hidden = true;
    const items = (r.items || []).filter((d) => (d.departements || []).includes(dep))
      .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    let ok = true;
    for (const [kind, sel] of [['candidates', '#recruit-cands'], ['structures', '#recruit-structs']]) {
      const el = $(sel);
      const keep = el.value;
      el.textContent = '';
      for (const d of items.filter((x) => x.kind === kind)) {
        const o = document.createElement('option');
        o.value = d.id;
        const n = d.rows_by_departement && d.rows_by_departement[dep];
        o.textContent = (d.name || d.id) + (n ? ' — ' + fmtInt.format(n) + ' dans le ' + dep : '');
        el.append(o);
      }
      if ([...el.options].some((o) => o.value === keep)) el.value = keep;
      ok = ok && el.options.length > 0;
    }
    if (!ok) {
      // None uploaded, or none this token may see: another token may.
      note('Aucun jeu de candidats et de structures de ce département visible avec ce jeton (téléversement : POST /v1/datasets).');
      clearFigures();
      $('#recruit-token').hidden = false;
    }
    return ok;
  }

  let seq = 0;
  async function refresh() {
    const dep = state.departement;
    const mine = ++seq;
    if (!rc.open) return;
    note('');
    if (!dep) {
      note('Choisissez un département pour suivre son recrutement.');
      clearFigures();
      return;
    }
    try {
      if (!(await datasets(dep)) || mine !== seq) return;
      const cands = $('#recruit-cands').value, structs = $('#recruit-structs').value;
      const q = '?candidates=' + encodeURIComponent(cands) + '&structures=' + encodeURIComponent(structs) +
        '&departement=' + encodeURIComponent(dep);
      const [dash, fc] = await Promise.all([
        call('/v1/recruitments/dashboard' + q),
        call('/v1/recruitments/structures?structures=' + encodeURIComponent(structs) + '&departement=' + encodeURIComponent(dep)),
      ]);
      if (mine !== seq || !dash || !fc) return;
      const row = (dash.departements || []).find((d) => d.departement === dep) || null;
      drawFigures(row, fc);
      setStructures(fc);
      rc.data = { departement: dep, candidates: cands, structures: structs, dashboard: row, features: fc.features.length };
    } catch (err) { app.report(err); }
  }

  function drawFigures(row, fc) {
    const tb = $('#recruit-table tbody');
    tb.textContent = '';
    const line = (phase, label, f) => {
      const tr = document.createElement('tr');
      tr.dataset.phase = phase;
      const th = document.createElement('td');
      th.textContent = label;
      tr.append(th);
      for (const k of FIGURES) {
        const td = document.createElement('td');
        td.className = 'num';
        td.dataset.k = k;
        td.textContent = fmtInt.format(f ? f[k] || 0 : 0);
        tr.append(td);
      }
      tb.append(tr);
    };
    line('all', 'Ensemble', row);
    for (const p of row ? row.by_phase || [] : []) line(String(p.phase), PHASES[p.phase] || 'Phase ' + p.phase, p);
    // The structures drawn, by opinion.
    const counts = {};
    for (const f of fc.features) {
      const k = f.properties.avis || '';
      counts[k] = (counts[k] || 0) + 1;
    }
    const parts = AVIS.filter((a) => counts[a.key]).map((a) => a.label + ' : ' + fmtInt.format(counts[a.key]));
    $('#recruit-structures').textContent = fmtInt.format(fc.features.length) + ' structure(s) sur la carte' + (parts.length ? ' — ' + parts.join(', ') : '');
    $('#recruit-figures').hidden = false;
    if (!row) note('Aucune structure ni candidat de ce département dans ces jeux.');
  }

  // ---------- wiring ----------

  function setOpen(open) {
    rc.open = open;
    state.recruit = open;
    if ($('#recruit').open !== open) $('#recruit').open = open;
    app.writeHash();
    if (open) refresh(); else { seq++; clearFigures(); note(''); }
  }

  drawLegend();
  $('#recruit').addEventListener('toggle', () => { if ($('#recruit').open !== rc.open) setOpen($('#recruit').open); });
  $('#recruit-token').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#recruit-token-input').value.trim();
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
    $('#recruit-token-input').value = '';
    refresh();
  });
  for (const sel of ['#recruit-cands', '#recruit-structs']) $(sel).addEventListener('change', refresh);
  $('#recruit-show').addEventListener('change', () => { if (rc.data) refresh(); else setStructures(null); });
  app.onDepartement.push(() => { if (rc.open) refresh(); });
  app.onHash.push((h) => { if (!!h.recruit !== rc.open) setOpen(!!h.recruit); });
  rc.refresh = refresh;
  rc.colours = Object.fromEntries(AVIS.map((a) => [a.key || 'none', a.color]));
  if (state.recruit) setOpen(true);
})();
