// Keyhole's browser client: a chat room and an echo tester over wss://, with the browser's client certificate.
// No build step, no inline script; everything a server sends is shown with textContent, never as HTML.
'use strict';

(() => {
    const $ = (id) => document.getElementById(id);
    const wsBase = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;

    // Close reasons after which reconnecting would only be refused again, or that say not to (an operator's
    // disconnect, close code 4001). 4000 (admin-reconnect) reconnects like any other close.
    const FINAL = new Set(['revoked', 'expired', 'no-identity', 'invalid-room', 'no-certificate', 'not-allowed',
        'admin-disconnect']);
    // A connection counts as having worked (the backoff starts again from the beginning) once it stayed this long.
    const STABLE_MS = 10000;
    // Chat protocol version 2 (docs/chat-protocol.md): events one per line, several to a message when several wait.
    const CHAT_PROTOCOL = 'keyhole.chat.v2';

    const chat = {
        socket: null,
        room: null,
        lastSeq: 0,
        epoch: null,
        attempt: 0,
        timer: null,
        wanted: false,
        openedAt: 0,
        members: new Map(), // tag -> display name
        pending: new Map(), // id -> { text, tries }: sent, not yet seen posted
        nextId: 1,
        tag: null, // our own identity's tag, from the welcome
        v1Next: false, // the last try asked for version 2 and never opened
        // Send ids unique to this page load: a retried send is recognised among everyone's messages.
        idPrefix: (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).slice(0, 12) + '-',
    };
    // A send the server could not post right now (the cluster's Redis unreachable) is sent again, a few times.
    const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

    function status(text, state) {
        $('status').textContent = text;
        $('status').dataset.state = state;
    }

    function enableSending(enabled) {
        $('text').disabled = !enabled;
        document.querySelector('#send button').disabled = !enabled;
    }

    function addLine(parts, system) {
        const item = document.createElement('li');
        if (system) {
            item.className = 'system';
            item.textContent = parts;
        } else {
            for (const [className, text] of parts) {
                const span = document.createElement('span');
                if (className) {
                    span.className = className;
                }
                span.textContent = text;
                item.append(span);
            }
        }
        const list = $('messages');
        const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
        list.append(item);
        if (atBottom) {
            list.scrollTop = list.scrollHeight;
        }
    }

    function showMembers(members) {
        chat.members = members;
        const list = $('members');
        list.replaceChildren(...[...members.values()].sort().map((name) => {
            const item = document.createElement('li');
            item.textContent = name;
            return item;
        }));
    }

    function showMessage(message) {
        if (message.id && message.fromTag === chat.tag) {
            chat.pending.delete(message.id);
        }
        if (message.seq <= chat.lastSeq) {
            return; // already shown: never twice
        }
        chat.lastSeq = message.seq;
        const time = new Date(message.time).toLocaleTimeString();
        addLine([['time', time], ['from', message.from], ['text', message.text]]);
    }

    function onEvent(event) {
        switch (event.type) {
            case 'welcome':
                if (chat.epoch !== null && chat.epoch !== event.epoch) {
                    addLine('The room was restarted.', true);
                }
                chat.epoch = event.epoch;
                chat.tag = event.you.tag;
                showMembers(new Map((event.people || []).map((person) => [person.tag, person.name])));
                status('Connected to ' + event.room + ' as ' + event.you.name, 'open');
                enableSending(true);
                // Refused sends whose retry found no open connection go now.
                chat.pending.forEach((pending, id) => {
                    if (pending.waiting) {
                        post(id);
                    }
                });
                break;
            case 'message':
                showMessage(event);
                break;
            case 'history':
                event.messages.forEach(showMessage);
                break;
            case 'resync':
                addLine('Some earlier messages are no longer available (' + event.reason + ').', true);
                chat.lastSeq = Math.max(0, event.oldestSeq - 1);
                chat.epoch = event.epoch;
                break;
            case 'presence': {
                // join / leave name one member; changes (presence held back in a busy room) name several, each
                // where it stands now. Applied as set operations by tag, they always end in the true member list.
                const one = event.member !== undefined ? [{ name: event.member, tag: event.tag }] : [];
                const joined = event.event === 'join' ? one : event.joined || [];
                const left = event.event === 'leave' ? one : event.left || [];
                const members = new Map(chat.members);
                joined.forEach((person) => members.set(person.tag, person.name));
                left.forEach((person) => members.delete(person.tag));
                showMembers(members);
                joined.forEach((person) => addLine(person.name + ' joined', true));
                left.forEach((person) => addLine(person.name + ' left', true));
                break;
            }
            case 'error':
                if (event.code === 'unavailable' && event.id && chat.pending.has(event.id)) {
                    retry(event.id);
                    break;
                }
                addLine('The server refused: ' + event.message + ' (' + event.code + ')', true);
                break;
            default:
                break;
        }
    }

    function connect() {
        clearTimeout(chat.timer);
        const query = chat.lastSeq > 0 || chat.epoch
            ? '?after=' + chat.lastSeq + (chat.epoch ? '&epoch=' + encodeURIComponent(chat.epoch) : '')
            : '';
        status(chat.attempt === 0 ? 'Connecting…' : 'Reconnecting…', 'connecting');
        // Protocol version 2: the same events, several to a WebSocket message (one per line) when several wait. A
        // browser fails the handshake when the server does not answer with the subprotocol (a node of an older
        // version, a proxy that drops the header): after a connection that never opened, the next try asks for
        // version 1, and the one after that for version 2 again.
        const askV2 = !chat.v1Next;
        const url = wsBase + '/chat/' + encodeURIComponent(chat.room) + query;
        const socket = askV2 ? new WebSocket(url, [CHAT_PROTOCOL]) : new WebSocket(url);
        chat.socket = socket;
        let opened = false;
        socket.addEventListener('open', () => {
            opened = true;
            chat.openedAt = Date.now();
        });
        socket.addEventListener('message', (message) => {
            const events = socket.protocol === CHAT_PROTOCOL ? message.data.split('\n') : [message.data];
            for (const event of events) {
                try {
                    onEvent(JSON.parse(event));
                } catch (e) {
                    addLine('Could not read a frame from the server.', true);
                }
            }
        });
        socket.addEventListener('close', (close) => {
            if (chat.socket !== socket) {
                return;
            }
            chat.v1Next = askV2 && !opened;
            enableSending(false);
            if (!chat.wanted) {
                status('Not connected', 'idle');
                return;
            }
            if (FINAL.has(close.reason) || close.code === 4001) {
                status('Closed: ' + (close.reason || close.code), 'closed');
                chat.wanted = false;
                return;
            }
            // A connection that closed soon after it opened did not work: the backoff goes on growing, so a server
            // that keeps closing right after the welcome is not hammered.
            if (chat.openedAt && Date.now() - chat.openedAt >= STABLE_MS) {
                chat.attempt = 0;
            }
            chat.openedAt = 0;
            const reason = close.reason ? ' (' + close.reason + ')' : '';
            // Exponential backoff with jitter: between half and all of 1 s, 2 s, 4 s, … 30 s.
            const ceiling = Math.min(30000, 1000 * 2 ** chat.attempt);
            const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
            chat.attempt += 1;
            status('Connection lost' + reason + '; retrying in ' + (delay / 1000).toFixed(1) + ' s (attempt '
                + chat.attempt + ')', 'closed');
            chat.timer = setTimeout(connect, delay);
        });
    }

    function join(room) {
        if (chat.socket) {
            chat.wanted = false;
            chat.socket.close(1000);
        }
        if (room !== chat.room) {
            chat.room = room;
            chat.lastSeq = 0;
            chat.epoch = null;
            $('messages').replaceChildren();
            showMembers(new Map());
        }
        chat.wanted = true;
        chat.attempt = 0;
        connect();
    }

    $('join').addEventListener('submit', (event) => {
        event.preventDefault();
        join($('room').value.trim());
    });

    function post(id) {
        const pending = chat.pending.get(id);
        if (pending && chat.socket && chat.socket.readyState === WebSocket.OPEN) {
            chat.socket.send(JSON.stringify({ v: 1, type: 'send', text: pending.text, id }));
            pending.waiting = false;
        }
    }

    function retry(id) {
        const pending = chat.pending.get(id);
        if (pending.tries >= RETRY_MS.length) {
            chat.pending.delete(id);
            addLine('Not sent, the room cannot be reached: ' + pending.text, true);
            return;
        }
        addLine('The room cannot be reached right now; sending again shortly.', true);
        pending.waiting = true; // until it goes: after the delay, or on the next connection if there is none then
        setTimeout(() => post(id), RETRY_MS[pending.tries]);
        pending.tries += 1;
    }

    $('send').addEventListener('submit', (event) => {
        event.preventDefault();
        const text = $('text').value;
        if (text.trim() && chat.socket && chat.socket.readyState === WebSocket.OPEN) {
            const id = chat.idPrefix + chat.nextId++;
            chat.pending.set(id, { text, tries: 0 });
            post(id);
            $('text').value = '';
        }
    });

    $('echo').addEventListener('submit', (event) => {
        event.preventDefault();
        const text = $('echo-text').value;
        const result = $('echo-result');
        const started = performance.now();
        const socket = new WebSocket(wsBase + '/echo');
        result.textContent = 'Connecting…';
        socket.addEventListener('open', () => socket.send(text));
        socket.addEventListener('message', (message) => {
            result.textContent = 'Echoed "' + message.data + '" in ' + Math.round(performance.now() - started) + ' ms';
            socket.close(1000);
        });
        socket.addEventListener('close', (close) => {
            if (close.code !== 1000 && close.code !== 1005) {
                result.textContent = 'Closed: ' + close.code + ' ' + close.reason;
            }
        });
        socket.addEventListener('error', () => {
            result.textContent = 'Could not reach the echo endpoint.';
        });
    });

    // Who does Keyhole think we are? Without a certificate, explain how to get one.
    const whoami = new WebSocket(wsBase + '/whoami');
    whoami.addEventListener('message', (message) => {
        const identity = JSON.parse(message.data);
        if (identity.authenticated) {
            $('identity').textContent = 'Signed in as ' + identity.commonName + ' (' + identity.subject + ')';
            $('identity').dataset.state = 'known';
        } else {
            $('identity').textContent = 'No client certificate presented';
            $('identity').dataset.state = 'anonymous';
            $('no-certificate').hidden = false;
        }
        whoami.close(1000);
    });
    whoami.addEventListener('error', () => {
        $('identity').textContent = 'Could not ask the server who you are';
    });
})();
