// The benchmark's peer (docs/performance.md): the server a team might write instead of running Keyhole, on the
// WebSocket library most Node.js teams pick (ws). Same TLS as Keyhole's benchmark targets: TLS 1.3, the server's
// certificate, a client certificate required and checked against the CA and its CRL. It serves
//   /echo          every message back as it came;
//   /chat/{room}   the shape of Keyhole's chat protocol: a welcome, presence to the others, and every "send" numbered
//                  and broadcast to every member as one JSON text encoded once; a member more than 1 MiB behind is
//                  closed with 1008 slow-consumer, as Keyhole's send queue does.
// It asks nothing of its clients beyond that: no rate limits, no origin check, no history, one event per message.
//
// node peer.mjs PORT KEY.pem CERT.pem CA.pem CRL.pem   (prints "ready" once it listens on 127.0.0.1:PORT)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';

const [port, key, cert, ca, crl] = process.argv.slice(2);
const MAX_BEHIND_BYTES = 1024 * 1024;

const https = createServer({
    key: readFileSync(key),
    cert: readFileSync(cert),
    ca: readFileSync(ca),
    crl: readFileSync(crl),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
}, (request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' });
    response.end('WebSocket only\n');
});

// Chat members may ask for Keyhole's subprotocol; the peer accepts it but sends one event per message anyway.
const wss = new WebSocketServer({
    server: https,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has('keyhole.chat.v2') ? 'keyhole.chat.v2' : false),
});
const rooms = new Map();

wss.on('connection', (socket, request) => {
    // A client's protocol error or reset ends that connection ('close' follows), never the server.
    socket.on('error', () => {});
    const path = new URL(request.url, 'https://localhost').pathname;
    if (path === '/echo') {
        socket.on('message', (data, binary) => socket.send(data, { binary }));
        return;
    }
    const match = /^\/chat\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/.exec(path);
    if (!match) {
        socket.close(1008, 'not-found');
        return;
    }
    const name = request.socket.getPeerCertificate().subject.CN;
    const roomName = match[1].toLowerCase();
    let room = rooms.get(roomName);
    if (!room) {
        room = { members: new Set(), seq: 0, epoch: Date.now().toString(36) };
        rooms.set(roomName, room);
    }
    room.members.add(socket);
    socket.send(JSON.stringify({ v: 1, type: 'welcome', room: roomName, you: { name }, lastSeq: room.seq,
        epoch: room.epoch, time: new Date().toISOString() }));
    broadcast(room, JSON.stringify({ v: 1, type: 'presence', room: roomName, event: 'join', member: { name },
        count: room.members.size, time: new Date().toISOString() }), socket);

    socket.on('message', (data, binary) => {
        if (binary) {
            socket.close(1003, 'binary-not-accepted');
            return;
        }
        let command;
        try {
            command = JSON.parse(data.toString('utf8'));
        } catch (e) {
            socket.send(JSON.stringify({ v: 1, type: 'error', code: 'bad-json' }));
            return;
        }
        if (command.type !== 'send' || typeof command.text !== 'string') {
            socket.send(JSON.stringify({ v: 1, type: 'error', code: 'bad-command' }));
            return;
        }
        room.seq += 1;
        broadcast(room, JSON.stringify({ v: 1, type: 'message', room: roomName, seq: room.seq, from: name,
            text: command.text, time: new Date().toISOString() }));
    });
    socket.on('close', () => {
        if (room.members.delete(socket)) {
            broadcast(room, JSON.stringify({ v: 1, type: 'presence', room: roomName, event: 'leave', member: { name },
                count: room.members.size, time: new Date().toISOString() }));
        }
    });
});

function broadcast(room, frame, except) {
    for (const member of room.members) {
        if (member === except) {
            continue;
        }
        if (member.bufferedAmount > MAX_BEHIND_BYTES) {
            room.members.delete(member);
            member.close(1008, 'slow-consumer');
            continue;
        }
        member.send(frame);
    }
}

wss.on('error', (error) => console.error('websocket server error: ' + error.message));
https.listen(Number(port), '127.0.0.1', () => console.log('ready'));
