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
// Receipts for a session that has gone are kept and sent to the next bound
// receiver, as a real SMSC does across a bearerbox restart.
//
// Usage: node smsc-sim.js --port N --log FILE [--receipt-delay MS]

'use strict';

const fs = require('fs');
const smpp = require('smpp');

function option(name, fallback) {
    const index = process.argv.indexOf('--' + name);
    return index > 0 ? process.argv[index + 1] : fallback;
}

const port = Number(option('port', 2775));
const logFile = option('log', 'smsc-sim.log');
const receiptDelayMs = Number(option('receipt-delay', 200));

let nextId = 1000;
const receivers = new Set();   // sessions bound to receive
const waiting = [];            // receipts with no receiver to take them

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

function deliver(receipt) {
    const session = receivers.values().next().value;
    if (!session) {
        waiting.push(receipt);
        return;
    }
    session.deliver_sm(receipt, (reply) => {
        if (reply.command_status !== 0) waiting.push(receipt);
    });
}

function flushWaiting() {
    const pending = waiting.splice(0, waiting.length);
    pending.forEach(deliver);
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
        setTimeout(() => deliver(receiptFor(id, pdu, stat, submitted)), receiptDelayMs);
    }
}

const server = smpp.createServer((session) => {
    const bound = (receives) => (pdu) => {
        session.send(pdu.response());
        if (receives) {
            receivers.add(session);
            flushWaiting();
        }
    };
    session.on('bind_transceiver', bound(true));
    session.on('bind_receiver', bound(true));
    session.on('bind_transmitter', bound(false));
    session.on('submit_sm', (pdu) => onSubmit(session, pdu));
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu) => {
        receivers.delete(session);
        session.send(pdu.response());
        session.close();
    });
    session.on('close', () => receivers.delete(session));
    session.on('error', () => receivers.delete(session));
});

server.listen(port, '127.0.0.1', () => {
    process.stderr.write('smsc-sim listening on 127.0.0.1:' + port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
