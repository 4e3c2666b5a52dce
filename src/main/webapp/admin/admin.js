// Keyhole's admin page: nodes, a live chart of connections and deliveries per second, connections with a filter
// and a disconnect that asks first, and rooms. It talks to the admin API on the same origin (docs/operations.md);
// the browser presents the admin's client certificate. No inline script or style: the strict CSP holds here too.
'use strict';

const POLL_MS = 2000;
// Every admin API request carries it: a page of another origin cannot (docs/operations.md#admin-api).
const ADMIN_HEADER = { 'X-Keyhole-Admin': '1' };
// The furthest a page of connections reaches (offset + limit), as the API allows.
const MAX_LISTED = 1000;
const POINTS = 60;
const PAGE = 25;
const api = (path) => new URL('api/' + path, document.baseURI).toString();

const state = { offset: 0, filter: {}, history: [], delivered: new Map(), lastTime: null, pending: null };

function text(value) {
    return value === undefined || value === null ? '' : String(value);
}

function cell(row, value) {
    const td = document.createElement('td');
    td.textContent = text(value);
    row.appendChild(td);
    return td;
}

function status(message, kind) {
    const line = document.getElementById('status');
    line.textContent = message;
    line.className = kind ?? 'status';
}

async function getJson(path) {
    const response = await fetch(api(path), { credentials: 'same-origin', cache: 'no-store', headers: ADMIN_HEADER });
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) {
        throw new Error(body.error ?? `HTTP ${response.status}`);
    }
    return body;
}

function query(parameters) {
    const search = new URLSearchParams();
    Object.entries(parameters).forEach(([key, value]) => {
        if (value !== '' && value !== undefined) {
            search.set(key, value);
        }
    });
    const rendered = search.toString();
    return rendered ? '?' + rendered : '';
}

function showSilent(silent) {
    const line = document.getElementById('silent');
    line.hidden = silent.length === 0;
    line.textContent = silent.length ? `No answer from ${silent.join(', ')}: figures are partial.` : '';
}

async function refreshNodes() {
    const answer = await getJson('nodes');
    const body = document.querySelector('#nodes tbody');
    body.replaceChildren();
    let connections = 0;
    let newly = 0;
    const now = Date.now();
    const seen = new Map();
    for (const node of answer.nodes) {
        const row = document.createElement('tr');
        cell(row, node.node);
        cell(row, node.started);
        cell(row, node.connections);
        cell(row, node.delivered);
        cell(row, node.rooms);
        cell(row, node.draining ? 'draining' : 'serving');
        body.appendChild(row);
        connections += node.connections;
        // Per node: a node that missed one poll, or restarted, must not make the rate jump.
        const before = state.delivered.get(node.node);
        if (before !== undefined && node.delivered >= before) {
            newly += node.delivered - before;
        }
        seen.set(node.node, node.delivered);
    }
    showSilent(answer.silentNodes);
    const rate = state.lastTime === null ? 0 : newly * 1000 / Math.max(1, now - state.lastTime);
    seen.forEach((value, key) => state.delivered.set(key, value));
    state.lastTime = now;
    state.history.push({ connections, rate });
    if (state.history.length > POINTS) {
        state.history.shift();
    }
    document.getElementById('now-connections').textContent = String(connections);
    document.getElementById('now-deliveries').textContent = rate.toFixed(1);
    draw();
    status(`${answer.clustered ? 'Cluster' : 'Single server'} · ${answer.nodes.length} node(s) · updated ${new Date().toLocaleTimeString()}`);
}

function draw() {
    const width = 600;
    const height = 120;
    const line = (values) => {
        const top = Math.max(1, ...values);
        return values.map((value, i) => {
            const x = (i * width) / (POINTS - 1);
            const y = height - 4 - (value * (height - 8)) / top;
            return `${x.toFixed(1)},${y.toFixed(1)}`;
        }).join(' ');
    };
    document.getElementById('chart-connections').setAttribute('points', line(state.history.map((p) => p.connections)));
    document.getElementById('chart-deliveries').setAttribute('points', line(state.history.map((p) => p.rate)));
}

async function refreshConnections() {
    const answer = await getJson('connections' + query({ ...state.filter, limit: PAGE, offset: state.offset }));
    const body = document.querySelector('#connections tbody');
    body.replaceChildren();
    for (const connection of answer.connections) {
        const row = document.createElement('tr');
        row.dataset.session = connection.session;
        cell(row, connection.subject ?? '(no certificate)');
        cell(row, connection.endpoint);
        cell(row, connection.rooms.join(', '));
        cell(row, connection.node);
        cell(row, connection.since);
        cell(row, connection.remoteAddress);
        cell(row, connection.notAfter);
        const action = cell(row, '');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'disconnect';
        button.textContent = 'Disconnect';
        button.addEventListener('click', () => confirmDisconnect(connection));
        action.appendChild(button);
        body.appendChild(row);
    }
    const last = Math.min(answer.total, state.offset + answer.connections.length);
    document.getElementById('connections-summary').textContent =
        `${answer.total} connection(s)` + (answer.total ? `, showing ${state.offset + 1}–${last}` : '');
    document.getElementById('previous').disabled = state.offset === 0;
    document.getElementById('next').disabled = last >= answer.total || state.offset + 2 * PAGE > MAX_LISTED;
    showSilent(answer.silentNodes);
}

async function refreshRooms() {
    const answer = await getJson('rooms');
    const body = document.querySelector('#rooms tbody');
    body.replaceChildren();
    for (const room of answer.rooms) {
        const row = document.createElement('tr');
        cell(row, room.name);
        cell(row, room.members);
        cell(row, room.connections);
        cell(row, room.epoch);
        cell(row, room.lastSeq);
        cell(row, room.historyMessages < 0 ? '' : room.historyMessages);
        cell(row, room.historyBytes < 0 ? '' : room.historyBytes);
        body.appendChild(row);
    }
}

function confirmDisconnect(connection) {
    state.pending = connection;
    document.getElementById('confirm-text').textContent =
        `Disconnect ${connection.subject ?? 'this client'} (${connection.endpoint}${connection.rooms.length ? ' ' + connection.rooms.join(', ') : ''}) on ${connection.node}?`;
    document.getElementById('confirm-reconnect').checked = false;
    document.getElementById('confirm').showModal();
}

async function disconnect(connection, reconnect) {
    const response = await fetch(api('disconnect' + query({ session: connection.session, node: connection.node, reconnect })), {
        method: 'POST',
        credentials: 'same-origin',
        headers: ADMIN_HEADER,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
        status(`Disconnect refused: ${body.error ?? response.status}`, 'error');
        return;
    }
    status(`Disconnected ${body.disconnected} connection(s) with close code ${body.closeCode}.`);
    await refreshConnections();
}

function wire() {
    document.getElementById('filter').addEventListener('submit', (event) => {
        event.preventDefault();
        state.filter = Object.fromEntries(new FormData(event.target).entries());
        state.offset = 0;
        refreshConnections().catch((error) => status(`Connections: ${error.message}`, 'error'));
    });
    document.getElementById('previous').addEventListener('click', () => {
        state.offset = Math.max(0, state.offset - PAGE);
        refreshConnections().catch((error) => status(`Connections: ${error.message}`, 'error'));
    });
    document.getElementById('next').addEventListener('click', () => {
        state.offset += PAGE;
        refreshConnections().catch((error) => status(`Connections: ${error.message}`, 'error'));
    });
    document.getElementById('confirm').addEventListener('close', () => {
        const dialog = document.getElementById('confirm');
        const connection = state.pending;
        state.pending = null;
        if (dialog.returnValue === 'ok' && connection) {
            disconnect(connection, document.getElementById('confirm-reconnect').checked)
                .catch((error) => status(`Disconnect: ${error.message}`, 'error'));
        }
    });
}

async function tick() {
    try {
        await refreshNodes();
    } catch (error) {
        status(`Nodes: ${error.message}`, 'error');
    }
}

wire();
tick();
refreshConnections().catch((error) => status(`Connections: ${error.message}`, 'error'));
refreshRooms().catch((error) => status(`Rooms: ${error.message}`, 'error'));
setInterval(tick, POLL_MS);
setInterval(() => refreshRooms().catch(() => {}), POLL_MS * 5);
