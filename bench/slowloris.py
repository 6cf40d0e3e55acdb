#!/usr/bin/env python3
"""Slow-body attack against a built binary: 1,100 sockets from 127.0.0.1 each declare a 1 MB body and
send one byte; prints how many are refused at once (429), whether another address (127.0.0.2) is
served meanwhile, how many admitted ones get 408, and the server's open descriptors.
Usage: python3 bench/slowloris.py target/release/warta   (writes its database under /tmp/ops-measure)"""
import socket, subprocess, sys, time, os, re, shutil
shutil.rmtree("/tmp/ops-measure/data", ignore_errors=True)
binary = sys.argv[1]
env = {"PATH": os.environ["PATH"], "WARTA_BIND": "127.0.0.1:0", "WARTA_DATABASE_URL": "/tmp/ops-measure/data/w.db",
       "WARTA_ADMIN_EMAIL": "a@warta.test", "WARTA_ADMIN_PASSWORD": "a long password here", "WARTA_LOG": "warn"}
p = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, text=True)
port = None
for line in p.stdout:
    m = re.match(r"Warta is listening on .*:(\d+)", line)
    if m: port = int(m.group(1)); break
socks, refused = [], 0
for i in range(1100):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")
    socks.append(s)
time.sleep(0.5)
for s in socks:
    s.setblocking(False)
    try:
        d = s.recv(100)
        if d.startswith(b"HTTP/1.1 429"): refused += 1
    except BlockingIOError: pass
fds = len(os.listdir(f"/proc/{p.pid}/fd"))
print(f"1100 trickling sockets from 127.0.0.1: {refused} answered 429 at once; server holds {fds} fds")
t = time.time()
other = socket.socket(); other.bind(("127.0.0.2", 0)); other.connect(("127.0.0.1", port)); other.settimeout(30)
other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print("another address, meanwhile:", other.recv(100).split(b"\r\n")[0].decode(), f"in {time.time()-t:.3f}s")
t = time.time(); answered = 0
for s in socks:
    s.setblocking(True); s.settimeout(30)
    try:
        d = s.recv(100)
        if d.startswith(b"HTTP/1.1 408"): answered += 1
    except Exception: pass
print(f"admitted ones answered 408: {answered}, all done {time.time()-t:.1f}s later; server fds now {len(os.listdir(f'/proc/{p.pid}/fd'))}")
deadline=time.time()+15
while len(os.listdir(f"/proc/{p.pid}/fd"))>40 and time.time()<deadline: time.sleep(0.1)
print("server fds after the client sockets got their answers:", len(os.listdir(f"/proc/{p.pid}/fd")))
for s in socks: s.close()
time.sleep(0.5)
print("after the clients close:", len(os.listdir(f"/proc/{p.pid}/fd")))
p.terminate(); p.wait()
