#!/usr/bin/python3
"""servermgrd-style plain-HTTP responder (TCP 687 in the demo capture).

Layout: ../shared/reference/apple-protocols.md sections 1 and 2.
Request (sent by curl): GET /commands/servermgr_<module>?input=<URL-encoded
XML plist>&send=Send+Command, the form used by public servermgrd clients.
Response: "HTTP/1.1 200 OK" with "Server: servermgrd" (the header nmap's
servermgrd matches key on, nmap-service-probes lines 7745-7748) and an XML
property-list body. The plist keys and values are invented for the demo.
Serves exactly one request, then exits.

usage: servermgrd_http.py ADDR PORT
"""
import socket
import sys
import urllib.parse

BODY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>cpuCount</key>
\t<integer>2</integer>
\t<key>cpuSpeed</key>
\t<integer>1330</integer>
\t<key>cpuType</key>
\t<string>PowerPC G4</string>
\t<key>hardwareModel</key>
\t<string>RackMac3,1</string>
\t<key>memorySize</key>
\t<integer>1073741824</integer>
\t<key>serverName</key>
\t<string>demo-xserve</string>
</dict>
</plist>
"""


def main(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    conn, _ = ls.accept()
    ls.close()
    conn.settimeout(10)
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk:
            break
        request += chunk
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _ = line.split(" ", 2)
    path, _, query = target.partition("?")
    fields = urllib.parse.parse_qs(query)
    if method == "GET" and path.startswith("/commands/servermgr_") and "input" in fields:
        status, body = "200 OK", BODY.encode("utf-8")
        ctype = "text/xml"
    else:
        status, body = "404 Not Found", b"<HTML><BODY>Not Found</BODY></HTML>\n"
        ctype = "text/html"
    head = ("HTTP/1.1 %s\r\nServer: servermgrd\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % (status, ctype, len(body)))
    conn.sendall(head.encode("ascii") + body)
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(4096):          # wait for the client's FIN, no unread data left
        pass
    conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
