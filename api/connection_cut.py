"""A client's TCP connection found among this process's sockets: ended from the server's side, how api.rsgi
tells a client that an answer whose status was sent is not whole; or looked at (api.send_queue)."""

from __future__ import annotations

import ipaddress
import os
import socket
import stat


def abort_connection(client: str, server: str) -> bool:
    """Shut down this process's TCP connection from `client` to the port of `server` ("host:port", as an RSGI
    scope gives them); False if none matches (not Linux, or already gone)."""
    connection = connection_socket(client, server)
    if connection is None:
        return False
    with connection:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:  # gone meanwhile
            return False
    return True


def connection_socket(client: str, server: str) -> socket.socket | None:
    """A duplicate of this process's TCP socket from `client` to the port of `server`, found among its open
    files (closing it leaves granian's open); None if none matches (not Linux, or already gone).

    The server's host is not compared: bound to 0.0.0.0 or ::, the scope names that, not the address the
    client reached; and a dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d."""
    try:
        peer, port = _address(client), _address(server)[1]
        names = os.listdir("/proc/self/fd")
    except (OSError, ValueError):
        return None
    for name in names:
        try:
            if not stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                continue
            connection = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        try:
            if connection.family in (socket.AF_INET, socket.AF_INET6) and connection.type == socket.SOCK_STREAM \
                    and connection.getsockname()[1] == port and _address(connection.getpeername()) == peer:
                return connection
        except (OSError, ValueError):  # not connected (a listening socket), or no longer
            pass
        connection.close()
    return None


def _address(address) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """(IP address, port) of "host:port", "[v6]:port" or a socket address tuple; an IPv4-mapped IPv6 address
    as the IPv4 one. Raises ValueError for anything else."""
    if isinstance(address, str):
        host, _, port = address.rpartition(":")
        host, port = host.strip("[]"), int(port)
    else:
        host, port = address[0], address[1]
    ip = ipaddress.ip_address(host.partition("%")[0])  # without an IPv6 zone
    return (ip.ipv4_mapped or ip) if ip.version == 6 else ip, port
