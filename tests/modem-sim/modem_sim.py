#!/usr/bin/env python3
"""modem_sim.py - a GSM modem for absencebox's end-to-end tests.

Kannel's AT driver (smsc = at) reaches it over TCP with "device = rawtcp",
as it would a modem behind a serial-to-TCP server. It answers the driver's
AT commands the way a GSM modem in PDU mode does (ATZ, AT&F, ATE0, AT+CPIN?,
AT+CMGF=0, AT+CSMS, AT+CNMI, AT+CSCA, AT+CPMS, keepalives, ...). For each
AT+CMGS it prompts "> ", reads the hex PDU up to Ctrl-Z, decodes the
SMS-SUBMIT (destination, GSM 7-bit or UCS-2 text, status report request),
answers "+CMGS: <mr>" with a message reference that counts up, and writes
one JSON line per text to the log file. When the text asked for a status
report (TP-SRR) and the driver routed reports to itself (AT+CNMI ds = 1),
an unsolicited "+CDS: <length>" SMS-STATUS-REPORT (TP-ST 0, delivered)
follows after --report-delay seconds. A report due while no driver is
connected waits for the next connection that sets AT+CNMI ds = 1.

What Kannel 1.4.5's driver (gw/smsc/smsc_at.c) relies on:
- AT+CMGS=<n> counts the TPDU only; the PDU after "> " starts with an SMSC
  address (Kannel sends 00, "the SIM's service centre").
- The +CDS line is followed directly by the PDU line, no blank line between;
  the PDU starts with the SMSC address (skipped, and logged, unless the
  modem definition says no-smsc) and <length> counts the TPDU after it.
- The report's TP-MR is looked up in the DLR storage under the number the
  driver read from "+CMGS: <mr>"; TP-ST 0x00-0x1F is success.
- The driver acknowledges +CDS with AT+CNMA only in phase 2+ mode
  (AT+CSMS=1). It reads each answer one command late after "+CPIN: READY"
  (it stops there, before that answer's OK), so it misses "+CSMS: (0,1)" and
  stays in phase 2 mode, where reports need no acknowledgement, unless the
  modem definition says no-pin.

Everything exchanged is written to standard output.

Usage: python3 modem_sim.py --port N --log FILE [--host 127.0.0.1]
           [--report-delay SECONDS] [--smsc +447700900000]
"""

import argparse
import datetime
import json
import socketserver
import sys
import threading

# GSM 03.38 default alphabet and its extension table (after ESC, 0x1B).
GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
            0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}
CTRL_Z, ESC = 0x1A, 0x1B

lock = threading.Lock()
state = {"mr": 0, "modems": [], "pending_reports": []}
options = None


def say(text):
    print(text, flush=True)


# ---- PDUs ---------------------------------------------------------------------

def semi_octets(data, count):
    """Digits of swapped semi-octets (F is the filler)."""
    digits = "".join(f"{b & 15:X}{b >> 4:X}" for b in data)
    return digits[:count]


def encode_semi_octets(digits):
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1], 16) << 4 | int(digits[i], 16)
                 for i in range(0, len(digits), 2))


def encode_address(number):
    """TP address field: number of digits, type of address, digits."""
    toa = 0x91 if number.startswith("+") else 0x81
    digits = number.lstrip("+")
    return bytes([len(digits), toa]) + encode_semi_octets(digits)


def encode_smsc(number):
    """SMSC address as a PDU starts with it: length in octets, then TOA+digits."""
    field = encode_address(number)[1:]
    return bytes([len(field)]) + field


def gsm7_unpack(ud, septets, skip):
    """Septets skip.. of septets packed into ud (LSB first), as text."""
    bits = int.from_bytes(ud, "little")
    text, escape = [], False
    for i in range(skip, septets):
        c = (bits >> (7 * i)) & 0x7F
        if escape:
            text.append(GSM7_EXT.get(c, " "))
            escape = False
        elif c == ESC:
            escape = True
        else:
            text.append(GSM7[c])
    return "".join(text)


def decode_submit(pdu, length):
    """An SMS-SUBMIT from AT+CMGS=<length> (TPDU octets) as a dict."""
    smsc = None
    if len(pdu) == length + 1 + pdu[0]:          # the SMSC address comes first
        if pdu[0]:
            smsc = pdu[1:1 + pdu[0]].hex().upper()
        pdu = pdu[1 + pdu[0]:]
    if len(pdu) != length:
        raise ValueError(f"PDU has {len(pdu)} octets, AT+CMGS said {length}")
    first = pdu[0]
    if first & 3 != 1:
        raise ValueError("not an SMS-SUBMIT")
    mr, digits, toa = pdu[1], pdu[2], pdu[3]
    pos = 4 + (digits + 1) // 2
    destination = semi_octets(pdu[4:pos], digits)
    pid, dcs = pdu[pos], pdu[pos + 1]
    pos += 2
    vpf = (first >> 3) & 3                       # 0 none, 2 relative, 1/3 seven octets
    validity = {0: None, 2: pdu[pos:pos + 1], 1: pdu[pos:pos + 7], 3: pdu[pos:pos + 7]}[vpf]
    pos += 0 if validity is None else len(validity)
    udl, ud = pdu[pos], pdu[pos + 1:]
    udh = ud[:ud[0] + 1] if first & 0x40 else b""
    if dcs & 0xC0 == 0:
        alphabet = (dcs >> 2) & 3                # 0 GSM 7-bit, 1 8-bit, 2 UCS-2
    elif dcs & 0xF0 == 0xF0:
        alphabet = (dcs >> 2) & 1
    else:
        alphabet = 2 if dcs & 0xF0 == 0xE0 else 0
    if alphabet == 0:
        text = gsm7_unpack(ud, udl, (len(udh) * 8 + 6) // 7)
    elif alphabet == 2:
        text = ud[len(udh):udl].decode("utf-16-be")
    else:
        text = ud[len(udh):udl].hex().upper()
    return {
        "destination": destination,
        "type_of_address": f"{toa:02X}",
        "text": text,
        "status_report_requested": bool(first & 0x20),
        "pid": pid,
        "dcs": dcs,
        "validity_period": None if validity is None else validity.hex().upper(),
        "udh": udh.hex().upper(),
        "smsc": smsc,
        "tp_mr_given": mr,
    }


def bcd_time(when):
    """A 7-octet service centre time stamp (UTC, time zone 0)."""
    digits = when.strftime("%y%m%d%H%M%S") + "00"
    return encode_semi_octets(digits)


def status_report(smsc, mr, toa, destination, submitted):
    """SMSC address + SMS-STATUS-REPORT TPDU; the +CDS length counts the TPDU."""
    now = datetime.datetime.now(datetime.timezone.utc)
    tpdu = (bytes([0x06, mr, len(destination), int(toa, 16)])
            + encode_semi_octets(destination)
            + bcd_time(submitted) + bcd_time(now)
            + bytes([0x00]))                     # TP-ST 0: received by the SME
    return len(tpdu), (encode_smsc(smsc) + tpdu).hex().upper()


# ---- one connection of the AT driver --------------------------------------------

class Modem(socketserver.BaseRequestHandler):

    def setup(self):
        self.send_lock = threading.Lock()
        self.echo = True
        self.ds = 0                              # AT+CNMI <ds>: 1 = +CDS
        self.phase2plus = False                  # AT+CSMS=1: reports need AT+CNMA
        self.unacknowledged = 0
        self.smsc = options.smsc
        self.cmgs_length = None                  # set while reading a PDU
        self.open = True
        with lock:
            state["modems"].append(self)
        say(f"connection from {self.client_address[0]}:{self.client_address[1]}")

    def finish(self):
        self.open = False
        with lock:
            state["modems"].remove(self)
        say("connection closed")

    def send(self, text):
        with self.send_lock:
            if self.open:
                try:
                    self.request.sendall(text.encode("latin-1"))
                except OSError:
                    self.open = False

    def reply(self, *lines):
        say("-> " + " | ".join(lines))
        self.send("".join(f"\r\n{line}\r\n" for line in lines))

    def handle(self):
        buffer = b""
        while True:
            try:
                data = self.request.recv(4096)
            except OSError:
                return
            if not data:
                return
            buffer += data
            while True:
                if self.cmgs_length is not None:
                    end = next((i for i, b in enumerate(buffer) if b in (CTRL_Z, ESC)), -1)
                    if end < 0:
                        break
                    pdu, stop, buffer = buffer[:end], buffer[end], buffer[end + 1:]
                    self.submit(pdu.decode("ascii", "replace").strip(), stop == ESC)
                    continue
                end = buffer.find(b"\r")
                if end < 0:
                    break
                line, buffer = buffer[:end], buffer[end + 1:]
                line = line.decode("ascii", "replace").strip()
                if line:
                    self.command(line)

    def command(self, line):
        say("<- " + line)
        if self.echo:
            self.send(line + "\r")
        cmd = line.upper()
        if not cmd.startswith("AT"):
            self.reply("ERROR")
        elif cmd in ("ATZ", "AT&F"):
            self.echo, self.ds, self.phase2plus = True, 0, False
            self.reply("OK")
        elif cmd in ("ATE0", "ATE1"):
            self.echo = cmd == "ATE1"
            self.reply("OK")
        elif cmd == "ATI":
            self.reply("absencebox modem simulator", "OK")
        elif cmd == "AT+CPIN?":
            self.reply("+CPIN: READY", "OK")
        elif cmd == "AT+CMGF=0":
            self.reply("OK")
        elif cmd.startswith("AT+CMGF="):
            self.reply("+CMS ERROR: 303")       # text mode: not supported here
        elif cmd == "AT+CSMS=?":
            self.reply("+CSMS: (0,1)", "OK")
        elif cmd.startswith("AT+CSMS="):
            self.phase2plus = cmd.endswith("1")
            self.reply("+CSMS: 1,1,1", "OK")
        elif cmd.startswith("AT+CNMI="):
            values = (cmd[8:].split(",") + ["0"] * 5)[:5]
            self.ds = int(values[3] or 0)
            self.reply("OK")
            self.send_pending_reports()
        elif cmd.startswith("AT+CSCA="):
            self.smsc = line[8:].split(",")[0].strip('"')
            self.reply("OK")
        elif cmd == "AT+CSCA?":
            self.reply(f'+CSCA: "{self.smsc}",145', "OK")
        elif cmd == "AT+CPMS?":
            self.reply('+CPMS: "SM",0,30,"SM",0,30,"SM",0,30', "OK")
        elif cmd.startswith("AT+CPMS="):
            self.reply("+CPMS: 0,30,0,30,0,30", "OK")
        elif cmd == "AT+CNMA":
            if self.unacknowledged:
                self.unacknowledged -= 1
                say("status report acknowledged")
            self.reply("OK")
        elif cmd == "AT+CSQ":
            self.reply("+CSQ: 20,99", "OK")
        elif cmd.startswith("AT+CMGS="):
            try:
                self.cmgs_length = int(cmd[8:])
            except ValueError:
                self.reply("+CMS ERROR: 304")
                return
            say("-> > ")
            self.send("\r\n> ")
        else:                                    # AT, AT+IFC=2,2, ...
            self.reply("OK")

    def submit(self, hexpdu, cancelled):
        length, self.cmgs_length = self.cmgs_length, None
        say(f"<- {hexpdu} ^{'[' if cancelled else 'Z'}")
        if cancelled:
            self.reply("OK")
            return
        try:
            text = decode_submit(bytes.fromhex(hexpdu), length)
        except (ValueError, IndexError) as e:
            say(f"bad PDU: {e}")
            self.reply("+CMS ERROR: 304")
            return
        with lock:
            state["mr"] = (state["mr"] + 1) % 256
            text["mr"] = state["mr"]
            with open(options.log, "a", encoding="utf-8") as log:
                log.write(json.dumps(text, ensure_ascii=False) + "\n")
        say(f"text {text['mr']} to {text['destination']}: {text['text']!r}")
        self.reply(f"+CMGS: {text['mr']}", "OK")
        if text["status_report_requested"]:
            submitted = datetime.datetime.now(datetime.timezone.utc)
            report = (text["mr"], text["type_of_address"], text["destination"], submitted)
            timer = threading.Timer(options.report_delay, queue_report, [report])
            timer.daemon = True
            timer.start()

    def send_pending_reports(self):
        with lock:
            reports = state["pending_reports"] if self.ds == 1 else []
            state["pending_reports"] = [] if self.ds == 1 else state["pending_reports"]
        for report in reports:
            self.status_report(report)

    def status_report(self, report):
        length, pdu = status_report(self.smsc, *report)
        say(f"status report for text {report[0]}: delivered")
        say(f"-> +CDS: {length} | {pdu}")
        if self.phase2plus:
            self.unacknowledged += 1
            say("(phase 2+: the driver must acknowledge it with AT+CNMA)")
        # The PDU follows on the very next line: no blank line between.
        self.send(f"\r\n+CDS: {length}\r\n{pdu}\r\n")


def queue_report(report):
    """Send a report on the newest connection that takes +CDS, or keep it."""
    with lock:
        modems = [m for m in state["modems"] if m.open and m.ds == 1]
        if not modems:
            state["pending_reports"].append(report)
            say(f"status report for text {report[0]} waits for the driver")
            return
    modems[-1].status_report(report)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global options
    parser = argparse.ArgumentParser(description="A GSM modem for Kannel's AT driver.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True, help="one JSON line per text received")
    parser.add_argument("--report-delay", type=float, default=1.0,
                        help="seconds from a text to its status report")
    parser.add_argument("--smsc", default="+447700900000",
                        help="service centre address until AT+CSCA sets one")
    options = parser.parse_args()
    with Server((options.host, options.port), Modem) as server:
        say(f"modem simulator on {options.host}:{options.port}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
