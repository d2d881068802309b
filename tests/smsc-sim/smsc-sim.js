#!/usr/bin/env node
// smsc-sim.js - an SMPP SMSC for absencebox's end-to-end tests, on the npm
// "smpp" package. bearerbox binds to it as an ESME (transceiver, or
// transmitter plus receiver). Every submit_sm is answered with a decimal
// message id and written as one JSON line to the log file; when the text
// asks for a receipt, a deliver_sm receipt follows after --receipt-delay ms.
//
// The fate of a text is decided by the last digit of its destination, so
// tests know it in advance:
//   7  receipt stat:UNDELIV (bearerbox: DLR 2, failed)
//   3  submit_sm refused with ESME_RINVDSTADR (bearerbox: DLR 16, rejected)
//   other digits: receipt stat:DELIVRD (DLR 1, delivered)
// A receipt stays the SMSC's until a receiver answers its deliver_sm with
// status 0, as with a real SMSC: one due while no receiver is bound waits
// for the next bind; one whose session closes before the answer (bearerbox
// stopped or killed, the connection dropped) is sent again to the next
// bound receiver; one not answered within --receipt-timeout ms (default
// 10000) is sent again; one refused (non-zero status) is sent again after
// 500 ms. So bearerbox may get a receipt twice, never none.
//
// Texts from phones (MO): with --control-port N, an HTTP server on
// 127.0.0.1:N takes
//   POST /mo   {"from": "447700900123", "to": "447700900000", "text": "...",
//               "ucs2": false}
// and sends it to the bound receiver as a deliver_sm with esm_class 0: with
// "ucs2": true the short_message is the text in UTF-16BE (data_coding 8, a
// character outside the BMP as its surrogate pair), else in the GSM 03.38
// default alphabet (data_coding 0; 400 when the text has a character
// outside it). An address written with a leading "+" goes with TON 1
// (international, bearerbox then writes it with the "+"), one of digits
// alone with TON 0 (unknown, written as given), any other with TON 5
// (alphanumeric); "from_ton" / "to_ton" set the TON instead. The answer, 200
// {"delivered": true, "attempts": N}, comes once the receiver answered the
// deliver_sm with status 0; until a receiver is bound the text waits, and
// one refused (non-zero status) or whose session closed unanswered is sent
// again, as a real SMSC retries. With "wait": false the answer is 202 at
// once. Each text delivered is one JSON line with "mo": true in --mo-log
// (or, without it, in --log).
//   GET /mo-pending   {"pending": N, "delivered": N}: texts not yet answered
//                     with status 0, and texts delivered so far.
//   GET /receipts     {"pending": N, "acknowledged": N, "resent": N,
//                     "sessions": N, "drops": N}: receipts due or sent but not
//                     yet answered with status 0, receipts answered, sends
//                     beyond each receipt's first, sessions open, drops so far.
//   POST /drop        (optionally ?down_ms=N) the SMSC drops every
//                     connection at once, without an unbind, as an SMSC whose
//                     link fails does; for N ms after it closes any new
//                     connection at once. Answers {"dropped": N} (sessions).
//
// Usage: node smsc-sim.js --port N --log FILE [--receipt-delay MS]
//            [--receipt-timeout MS] [--control-port N [--mo-log FILE]]

'use strict';

const fs = require('fs');
const http = require('http');
const smpp = require('smpp');

function option(name, fallback) {
    const index = process.argv.indexOf('--' + name);
    return index > 0 ? process.argv[index + 1] : fallback;
}

const port = Number(option('port', 2775));
const logFile = option('log', 'smsc-sim.log');
const receiptDelayMs = Number(option('receipt-delay', 200));
const controlPort = option('control-port', null);
const moLogFile = option('mo-log', logFile);
const receiptTimeoutMs = Number(option('receipt-timeout', 10000));
const moRetryMs = 500;
const receiptRetryMs = 500;

let nextId = 1000;
const sessions = new Set();    // every open session
const receivers = new Set();   // sessions bound to receive
const waiting = [];            // receipts with no receiver to take them
let receiptsPending = 0;       // receipts made and not yet answered with status 0
let receiptsAcknowledged = 0;
let receiptsResent = 0;
let drops = 0;
let downUntil = 0;             // after a drop, connections are closed until then
const moWaiting = [];          // texts from phones with no receiver to take them
let moUnanswered = 0;          // texts from phones not yet answered with status 0
let moDelivered = 0;

function smppDate(date) {
    const two = (n) => String(n).padStart(2, '0');
    return two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) +
        two(date.getUTCDate()) + two(date.getUTCHours()) + two(date.getUTCMinutes());
}

function fate(destination) {
    const last = destination.slice(-1);
    if (last === '3') return 'REJECTD';
    if (last === '7') return 'UNDELIV';
    return 'DELIVRD';
}

function receiptFor(id, pdu, stat, submitted) {
    const states = {DELIVRD: 2, UNDELIV: 5};
    const done = new Date();
    return {
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        short_message: 'id:' + id + ' sub:001 dlvrd:' + (stat === 'DELIVRD' ? '001' : '000') +
            ' submit date:' + smppDate(submitted) + ' done date:' + smppDate(done) +
            ' stat:' + stat + ' err:' + (stat === 'DELIVRD' ? '000' : '001') + ' text:',
        receipted_message_id: String(id),
        message_state: states[stat],
    };
}

// A receipt to send until answered with status 0.
function newReceipt(pdu) {
    receiptsPending++;
    return {pdu, attempts: 0, acked: false, timer: null, session: null};
}

function receiptAcknowledged(receipt) {
    if (receipt.acked) return;
    receipt.acked = true;
    clearTimeout(receipt.timer);
    if (receipt.session) receipt.session.receiptsInFlight.delete(receipt);
    receiptsPending--;
    receiptsAcknowledged++;
}

// Send a receipt to the first bound receiver (or keep it for the next one);
// it is sent again when its session goes, when it is refused, or when no
// answer comes within receiptTimeoutMs.
function deliver(receipt) {
    if (receipt.acked) return;
    clearTimeout(receipt.timer);
    if (receipt.session) receipt.session.receiptsInFlight.delete(receipt);
    receipt.session = null;
    const session = receivers.values().next().value;
    if (!session) {
        waiting.push(receipt);
        return;
    }
    if (receipt.attempts > 0) receiptsResent++;
    const attempt = ++receipt.attempts;
    receipt.session = session;
    session.receiptsInFlight.add(receipt);
    const sent = session.deliver_sm(Object.assign({}, receipt.pdu), (reply) => {
        if (receipt.acked || session.dropped) return;
        if (reply.command_status === 0) {
            receiptAcknowledged(receipt);   // whichever attempt it answers
        } else if (receipt.attempts === attempt) {
            clearTimeout(receipt.timer);
            receipt.timer = setTimeout(() => deliver(receipt), receiptRetryMs);
        }
    });
    if (!sent) {
        session.receiptsInFlight.delete(receipt);
        receipt.session = null;
        receivers.delete(session);
        receipt.timer = setTimeout(() => deliver(receipt), receiptRetryMs);
        return;
    }
    receipt.timer = setTimeout(() => {
        if (!receipt.acked && receipt.attempts === attempt) deliver(receipt);
    }, receiptTimeoutMs);
}

// A text from a phone to the first bound receiver; sent again until a
// receiver answers it with status 0, then MO.done is called.
function deliverMo(mo) {
    const session = receivers.values().next().value;
    if (!session) {
        moWaiting.push(mo);
        return;
    }
    mo.attempts++;
    session.moInFlight.add(mo);
    const sent = session.deliver_sm(Object.assign({}, mo.pdu), (reply) => {
        if (!session.moInFlight.delete(mo)) return;   // already given up with its session
        if (reply.command_status === 0) {
            mo.done();
        } else {
            mo.lastStatus = reply.command_status;
            setTimeout(() => deliverMo(mo), moRetryMs);
        }
    });
    if (!sent) {
        session.moInFlight.delete(mo);
        receivers.delete(session);
        moWaiting.push(mo);
    }
}

// A session gone: its texts from phones and its receipts still unanswered
// go to the next receiver.
function sessionGone(session) {
    sessions.delete(session);
    receivers.delete(session);
    const unanswered = Array.from(session.moInFlight);
    session.moInFlight.clear();
    unanswered.forEach((mo) => setTimeout(() => deliverMo(mo), moRetryMs));
    const receipts = Array.from(session.receiptsInFlight);
    session.receiptsInFlight.clear();
    receipts.forEach((receipt) => {
        if (receipt.acked || receipt.session !== session) return;
        clearTimeout(receipt.timer);
        receipt.session = null;
        receipt.timer = setTimeout(() => deliver(receipt), receiptRetryMs);
    });
}

// The SMSC drops every connection (no unbind) and closes new ones for
// downMs; returns how many sessions it dropped.
function dropAll(downMs) {
    drops++;
    downUntil = Date.now() + downMs;
    const open = Array.from(sessions);
    open.forEach((session) => {
        session.dropped = true;   // what is still on its way in is lost with it
        sessionGone(session);
        session.close();
    });
    return open.length;
}

function flushWaiting() {
    const pending = waiting.splice(0, waiting.length);
    pending.forEach(deliver);
    const mos = moWaiting.splice(0, moWaiting.length);
    mos.forEach(deliverMo);
}

function messageText(pdu) {
    const message = pdu.message_payload || pdu.short_message;
    if (message && typeof message === 'object' && 'message' in message) return message.message;
    return String(message);
}

function onSubmit(session, pdu) {
    const destination = pdu.destination_addr;
    const stat = fate(destination);
    const record = {destination, source: pdu.source_addr, text: messageText(pdu),
                    data_coding: pdu.data_coding, registered_delivery: pdu.registered_delivery};
    if (stat === 'REJECTD') {
        fs.appendFileSync(logFile, JSON.stringify(Object.assign(record, {refused: true})) + '\n');
        session.send(pdu.response({command_status: smpp.ESME_RINVDSTADR}));
        return;
    }
    const id = nextId++;
    fs.appendFileSync(logFile, JSON.stringify(Object.assign(record, {id})) + '\n');
    session.send(pdu.response({message_id: String(id)}));
    if (pdu.registered_delivery & 1) {
        const submitted = new Date();
        const receipt = newReceipt(receiptFor(id, pdu, stat, submitted));
        setTimeout(() => deliver(receipt), receiptDelayMs);
    }
}

const server = smpp.createServer((session) => {
    session.moInFlight = new Set();
    session.receiptsInFlight = new Set();
    if (Date.now() < downUntil) {
        session.close();
        return;
    }
    sessions.add(session);
    const bound = (receives) => (pdu) => {
        if (session.dropped) return;
        session.send(pdu.response());
        if (receives) {
            receivers.add(session);
            flushWaiting();
        }
    };
    session.on('bind_transceiver', bound(true));
    session.on('bind_receiver', bound(true));
    session.on('bind_transmitter', bound(false));
    session.on('submit_sm', (pdu) => session.dropped || onSubmit(session, pdu));
    session.on('enquire_link', (pdu) => session.dropped || session.send(pdu.response()));
    session.on('unbind', (pdu) => {
        receivers.delete(session);
        session.send(pdu.response());
        session.close();
    });
    session.on('close', () => sessionGone(session));
    session.on('error', () => sessionGone(session));
});

// ---- texts from phones, asked for over HTTP ----------------------------------

// TON and address as sent for an address as the test wrote it.
function address(written, ton) {
    let digits = written;
    let guessed = 5;   // alphanumeric
    if (/^\+[0-9]+$/.test(written)) {
        digits = written.slice(1);
        guessed = 1;   // international
    } else if (/^[0-9]+$/.test(written)) {
        guessed = 0;   // unknown
    }
    const t = ton === undefined ? guessed : Number(ton);
    return {addr: digits, ton: t, npi: t === 5 ? 0 : 1};
}

// The deliver_sm of a request, or an error text.
function moPdu(request) {
    for (const key of ['from', 'to', 'text']) {
        if (typeof request[key] !== 'string') return key + ' must be a string';
    }
    if (!request.from || !request.to) return 'from and to must not be empty';
    let message;
    if (request.ucs2) {
        message = Buffer.from(request.text, 'utf16le').swap16();
    } else {
        if (!smpp.encodings.ASCII.match(request.text)) {
            return 'the text has characters outside the GSM 03.38 alphabet: send it as ucs2';
        }
        message = smpp.encodings.ASCII.encode(request.text);
    }
    if (message.length > 254) return 'the text is ' + message.length + ' bytes, more than 254';
    const from = address(request.from, request.from_ton);
    const to = address(request.to, request.to_ton);
    return {
        source_addr_ton: from.ton, source_addr_npi: from.npi, source_addr: from.addr,
        dest_addr_ton: to.ton, dest_addr_npi: to.npi, destination_addr: to.addr,
        esm_class: 0,
        data_coding: request.ucs2 ? 8 : 0,
        short_message: message,
    };
}

function answer(response, status, body) {
    response.writeHead(status, {'Content-Type': 'application/json'});
    response.end(JSON.stringify(body) + '\n');
}

function onMoRequest(request, response) {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
        let parsed;
        try {
            parsed = JSON.parse(body);
        } catch (e) {
            answer(response, 400, {error: 'not JSON: ' + e.message});
            return;
        }
        const pdu = moPdu(parsed || {});
        if (typeof pdu === 'string') {
            answer(response, 400, {error: pdu});
            return;
        }
        const wait = parsed.wait !== false;
        const mo = {pdu, attempts: 0};
        mo.done = () => {
            moUnanswered--;
            moDelivered++;
            fs.appendFileSync(moLogFile, JSON.stringify({
                mo: true, source: parsed.from, destination: parsed.to, text: parsed.text,
                data_coding: pdu.data_coding, ucs2: Boolean(parsed.ucs2),
                attempts: mo.attempts}) + '\n');
            if (wait) answer(response, 200, {delivered: true, attempts: mo.attempts});
        };
        moUnanswered++;
        if (!wait) answer(response, 202, {queued: true});
        deliverMo(mo);
    });
}

if (controlPort) {
    http.createServer((request, response) => {
        const path = request.url.split('?')[0];
        if (request.method === 'POST' && path === '/mo') {
            onMoRequest(request, response);
        } else if (request.method === 'GET' && path === '/mo-pending') {
            answer(response, 200, {pending: moUnanswered, delivered: moDelivered});
        } else if (request.method === 'GET' && path === '/receipts') {
            answer(response, 200, {pending: receiptsPending, acknowledged: receiptsAcknowledged,
                                   resent: receiptsResent, sessions: sessions.size, drops});
        } else if (request.method === 'POST' && path === '/drop') {
            const query = new URLSearchParams(request.url.split('?')[1] || '');
            const downMs = Number(query.get('down_ms') || 0);
            request.resume();
            answer(response, 200, {dropped: dropAll(Number.isFinite(downMs) ? downMs : 0)});
        } else {
            answer(response, 404, {error: 'POST /mo, GET /mo-pending, GET /receipts or POST /drop'});
        }
    }).listen(Number(controlPort), '127.0.0.1');
}

server.listen(port, '127.0.0.1', () => {
    process.stderr.write('smsc-sim listening on 127.0.0.1:' + port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
