"""How mockmkto is served, for `mockmkto serve`, the pytest plugin and the benchmark alike.

The HTTP server is waitress: its one I/O thread reads each request whole (headers and body, a body
past 512 KiB into a temporary file) before a worker thread takes it, so clients that send slowly
hold no thread, and a request announcing more than the limit is refused from its headers, unread.
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from waitress import create_server, wasyncore
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
from waitress.utilities import RequestEntityTooLarge

from mockmkto.config import Config
from mockmkto.transport import CONNECTION

if TYPE_CHECKING:  # the app is imported as a server starts, not with this module
    from mockmkto.app import MockMarketo

THREADS = 8
# How long a thread may be on one request before a queued request goes to another thread instead of
# waiting for it (_RelayDispatcher): a syncLead takes well under a millisecond.
STALLED_SECONDS = 0.01
# A request line and headers larger than this get a 431. SOAP clients send a few hundred bytes.
MAX_HEADER_BYTES = 64 * 1024
# Open connections the server keeps (waitress's default is 100); poll(), unlike select(), has no
# limit of 1024 descriptors.
CONNECTION_LIMIT = 1000
# A worker process that dies sooner than this after its start is started again only this long after.
RESTART_PAUSE_SECONDS = 1.0
WORKER_STOP_SECONDS = 10.0
# The most processes `--workers` starts: each holds an app of its own (tens of MB), and more than
# this serves no machine a mock runs on better; a typo such as 100000 forked until the machine stalled.
MAX_WORKERS = 64
# After an error answer, how long the rest of a refused request is read and dropped.
LINGER_SECONDS = 2.0

# A request waiting in the queue for a thread is how this server works, not a fault to report.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


@contextmanager
def frozen_start_up() -> Iterator[None]:
    """For a process that only serves: start-up makes some 150k objects that live as long as the
    server. The collector waits until they are made (collecting meanwhile walked them again and
    again), then leaves them out of every later collection, where a full pass over them stalled a
    request (bench/results.md). The few hundred objects start-up leaves in cycles are kept, not
    collected."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def listening_socket(host: str, port: int, shared: bool = False, listen: bool = True) -> socket.socket:
    """Bound and listening (port 0 picks a free one); OSError when the address cannot be had.
    `shared`: other sockets of this user may listen on the same port too (workers), and the kernel
    spreads new connections over them. Without `listen`, it only holds the port."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        # A restarted server can listen again at once, while the old one's connections wait out TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listen:
            sock.listen(1024)
    except BaseException:
        sock.close()
        raise
    return sock


class _SoapAwareErrorTask(ErrorTask):
    """waitress's error answers (plain text), except that a SOAP call larger than the limit gets
    Marketo's fault 20012, as the app answers one it has read. Either way the body is not read, and
    the connection is closed after the answer."""

    def execute(self):
        # Loaded by the app by now; imported here so that importing this module stays light (the CLI
        # imports it before start-up).
        from mockmkto.app import SOAP_CONTENT_TYPE, SOAP_PATH
        from mockmkto.soap.faults import fault_envelope, request_too_large

        self.channel.after_error = True
        request = self.request
        if not isinstance(request.error, RequestEntityTooLarge):
            return super().execute()
        limit = self.channel.server.adj.max_request_body_size - 1
        if not (request.command == "POST" and SOAP_PATH.fullmatch(request.path)):
            request.error = RequestEntityTooLarge(f"larger than {limit} bytes")
            return super().execute()
        body = fault_envelope(request_too_large(limit))
        self.status = "500 INTERNAL SERVER ERROR"
        self.response_headers.append(("Content-Type", SOAP_CONTENT_TYPE))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _ClientConnection:
    """The request's connection, for a transport fault (mockmkto/transport.py). Each method ends with
    ClientDisconnected, on which waitress closes the connection having written nothing more."""

    def __init__(self, channel: HTTPChannel):
        self.channel = channel

    def abort(self, reset: bool) -> None:
        if reset:
            # Closed with a zero linger time, the connection is reset (RST), not ended (FIN).
            self.channel.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raise ClientDisconnected

    def send_then_close(self, chunks, interval: float) -> None:
        # Straight to the socket, from this worker thread: waitress holds back small writes until
        # the task ends, and a dribble is bytes that arrive one by one.
        with self.channel.socket.dup() as sock:
            sock.settimeout(30)
            for number, chunk in enumerate(chunks):
                if number and interval:
                    time.sleep(interval)
                sock.sendall(chunk)
        raise ClientDisconnected


class _Task(WSGITask):
    def get_environment(self):
        environ = super().get_environment()
        environ[CONNECTION] = _ClientConnection(self.channel)
        return environ


class _Channel(HTTPChannel):
    error_task_class = _SoapAwareErrorTask
    task_class = _Task
    after_error = False

    def handle_close(self):
        if self.after_error and self.connected:
            # What the client still sends of a refused request is unread: closing now would reset
            # the connection, and the client could lose the answer. Half-closed, it gets the answer
            # and the end, and what it sends meanwhile is dropped.
            _Discard(self.socket.dup(), self._map)
        super().handle_close()


class _Discard(wasyncore.dispatcher):
    """A connection whose answer is sent: reads and drops what the client sends, until it closes or
    for LINGER_SECONDS (Apache's lingering close)."""

    def __init__(self, sock: socket.socket, map: dict):
        super().__init__(sock, map)
        self.deadline = time.monotonic() + LINGER_SECONDS
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close()

    def readable(self) -> bool:
        if time.monotonic() > self.deadline:
            self.close()
            return False
        return True

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        try:
            self.recv(65536)  # an empty read (the client's end) closes this
        except OSError:
            self.close()


class _RelayDispatcher(ThreadedTaskDispatcher):
    """waitress's pool of THREADS threads, with at most `runners` of them running requests (one on
    SQLite: `running_threads`): a thread that ends a request takes the next queued one itself, and
    a sleeping thread is woken only when fewer run a request, not counting those on their request
    for STALLED_SECONDS (a delay waited out of turn, a slow client, a long call): a request waits
    that long at most behind ones that stalled.

    The app's calls take turns whole in a process (`Instance.turn`) and Python runs one thread at
    a time, so more threads running only added work: waitress wakes a thread for every request,
    which then queued for the turn and the interpreter; at 8 clients that cost as much CPU as a
    syncLead itself (bench/results.md)."""

    def __init__(self, runners: int) -> None:
        super().__init__()
        self._runners = runners
        self._started: dict[int, float | None] = {}  # thread on a request: when it began (None: stalled)
        self._running = 0  # threads on a request that has not stalled
        self._watch = threading.Condition(self.lock)
        self._watch_untimed = True  # the watch waits, with no deadline, for a thread to begin a request
        self._stopping = False
        threading.Thread(target=self._watch_for_stalls, name="waitress-relay", daemon=True).start()

    def add_task(self, task) -> None:
        with self.lock:
            self.queue.append(task)
            if self._running < self._runners:
                self.queue_cv.notify()

    def handler_thread(self, thread_no: int) -> None:
        while True:
            with self.lock:
                while not self.stop_count and not (self.queue and self._running < self._runners):
                    self.active_count -= 1
                    self.queue_cv.wait()
                    self.active_count += 1
                if self.stop_count:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    return
                task = self._begin(thread_no)
                if self._watch_untimed:
                    self._watch.notify()
            while task is not None:
                try:
                    task.service()
                except BaseException:
                    self.logger.exception("Exception when servicing %r", task)
                with self.lock:
                    if self._started.pop(thread_no) is not None:
                        self._running -= 1
                    relay = self.queue and self._running < self._runners and not self.stop_count
                    task = self._begin(thread_no) if relay else None

    def _begin(self, thread_no: int):
        """The next queued request, on this thread (holding the lock)."""
        self._running += 1
        self._started[thread_no] = time.monotonic()
        return self.queue.popleft()

    def _watch_for_stalls(self) -> None:
        with self.lock:
            while not self._stopping:
                now = time.monotonic()
                for thread_no, began in self._started.items():
                    if began is not None and now - began >= STALLED_SECONDS:
                        self._started[thread_no] = None
                        self._running -= 1
                if self.queue and self._running < self._runners:
                    self.queue_cv.notify()
                deadlines = [began + STALLED_SECONDS for began in self._started.values() if began is not None]
                self._watch_untimed = not deadlines
                self._watch.wait(min(deadlines) - now if deadlines else None)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        with self.lock:
            self._stopping = True
            self._watch.notify()
        return super().shutdown(cancel_pending, timeout)


class HttpServer:
    """waitress serving `app` on a listening socket: `.serve()` until `.stop()`, which any thread or a
    signal handler may call."""

    def __init__(self, app, sock: socket.socket, max_request_bytes: int, runners: int = 1):
        self._map: dict = {}
        self._stopped = False
        # stop() wakes the loop by its trigger only while the loop has not closed it: a loop woken by
        # something else may see the flag and close everything first, and a closed trigger's file
        # descriptor may already be another file's. Reentrant: a signal handler's stop() may interrupt
        # the thread holding it.
        self._closing = threading.RLock()
        self._open = True
        dispatcher = _RelayDispatcher(runners)
        dispatcher.set_thread_count(THREADS)
        self._server = create_server(
            app,
            map=self._map,
            sockets=[sock],
            threads=THREADS,
            # waitress refuses a body of this size or more; the app accepts up to max_request_bytes.
            max_request_body_size=max_request_bytes + 1,
            max_request_header_size=MAX_HEADER_BYTES,
            connection_limit=CONNECTION_LIMIT,
            asyncore_use_poll=True,
            # Headers reach the app as sent (X-Forwarded-*), as they did on every server before.
            clear_untrusted_proxy_headers=False,
            _dispatcher=dispatcher,
        )
        self._server.channel_class = _Channel
        self.port = sock.getsockname()[1]

    def serve(self) -> None:
        try:
            while not self._stopped:
                wasyncore.loop(timeout=1.0, map=self._map, use_poll=True, count=1)
        finally:
            with self._closing:
                self._open = False
                wasyncore.close_all(self._map)
            self._server.task_dispatcher.shutdown()

    def stop(self) -> None:
        if not self._stopped:
            with self._closing:
                self._stopped = True
                if self._open:
                    self._server.pull_trigger()  # wakes the loop: a write to a pipe


def http_server(app, host: str, port: int, max_request_bytes: int | None = None) -> HttpServer:
    """Bound on return (port 0 picks a free one: `bound_port`); serve with `.serve()`, end with
    `.stop()`. `max_request_bytes` defaults to the app's configured limit; an app without a config
    (a test's, the bench's floor) has the default limit and runs one request at a time."""
    config: Config | None = getattr(app, "config", None)
    if max_request_bytes is None:
        max_request_bytes = (config or Config).max_request_bytes
    return HttpServer(app, listening_socket(host, port), max_request_bytes, running_threads(config) if config else 1)


def running_threads(config: Config) -> int:
    """How many threads run requests at once. A SQLite store's calls wait for nothing but the
    interpreter: one. PostgreSQL's wait on the network at every statement, and a second thread does
    another request's HTTP work meanwhile: with one, a worker served fewer calls than with
    waitress's own 8; with two, as many (bench/results.md)."""
    return 1 if config.db.startswith("sqlite") else 2


def bound_port(server: HttpServer) -> int:
    return server.port


def _stop_on_signals(server: HttpServer) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: server.stop())


def _configured_server(app: MockMarketo, sock: socket.socket, config: Config) -> HttpServer:
    """The server of `mockmkto serve` on `sock`, for an app built from `config` (one process, or a worker)."""
    app.start_serving()
    return HttpServer(app, sock, config.max_request_bytes, running_threads(config))


def serve_here(app: MockMarketo, sock: socket.socket, config: Config) -> None:
    """One process: serve until SIGTERM or SIGINT."""
    server = _configured_server(app, sock, config)
    _stop_on_signals(server)
    try:
        server.serve()
    finally:
        app.close()  # its instances' background workers end with it


def serve_workers(
    sock: socket.socket,
    config: Config,
    workers: int,
    build_app: Callable[[Config], MockMarketo],
    ready: Callable[[], None],
) -> None:
    """Pre-fork: `workers` processes, each with its own app built from `config` and its own listening
    socket on the port `sock` holds (bound, `shared`, not listening): the kernel spreads new
    connections over them, where on one shared socket the worker quickest to wake took every
    keep-alive connection (bench/results.md, the workers section). `ready()` is called once every
    worker listens. A worker that dies is replaced; SIGTERM or SIGINT stops them all. The app the
    caller built must be closed before."""
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    host, port = sock.getsockname()[:2]
    started: dict[int, float] = {}  # worker pid: when it started
    due = [0.0] * workers  # when each worker to start may start
    listening_r, listening_w = os.pipe()  # a worker writes a byte once its socket listens
    listening = 0
    try:
        while not stopping:
            pid, status = os.waitpid(-1, os.WNOHANG) if started else (0, 0)
            if pid in started:
                print(f"mockmkto: worker {pid} {_exit_reason(status)}; starting another", file=sys.stderr, flush=True)
                due.append(started.pop(pid) + RESTART_PAUSE_SECONDS)
                continue
            now = time.monotonic()
            for when in [when for when in due if when <= now]:
                due.remove(when)
                started[_fork_worker(host, port, sock, listening_w, config, build_app)] = now
            if select.select([listening_r], [], [], 0.1)[0]:
                heard = len(os.read(listening_r, 64))
                if listening < workers <= listening + heard:
                    ready()
                listening += heard
    finally:
        os.close(listening_r)
        os.close(listening_w)
        _stop_workers(started)


def _fork_worker(
    host: str,
    port: int,
    parents: socket.socket,
    listening: int,
    config: Config,
    build_app: Callable[[Config], MockMarketo],
) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        # Ctrl-C reaches the whole process group: the parent alone decides, and sends SIGTERM, which
        # ends a worker at once until it serves.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sock = listening_socket(host, port, shared=True)
        parents.close()  # the parent's, which only holds the port
        os.write(listening, b"1")
        with frozen_start_up():
            app = build_app(config)
        server = _configured_server(app, sock, config)
        signal.signal(signal.SIGTERM, lambda *_: server.stop())
        threading.Thread(target=_stop_when_orphaned, args=(server, parent), daemon=True).start()
        server.serve()
        app.close()
    except BaseException as exc:  # a worker reports in one line and ends; the parent starts another
        print(f"mockmkto: worker {os.getpid()} failed: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        os._exit(code)  # never back into the parent's code (its finally blocks, atexit)


def _stop_when_orphaned(server: HttpServer, parent: int) -> None:
    """A worker whose supervisor is gone (killed with -9) stops, rather than hold the port."""
    while os.getppid() == parent:
        time.sleep(1.0)
    server.stop()


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def _stop_workers(pids) -> None:
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    waiting = set(pids)
    while waiting and time.monotonic() < deadline:
        for pid in list(waiting):
            if os.waitpid(pid, os.WNOHANG)[0]:
                waiting.discard(pid)
        time.sleep(0.05)
    for pid in waiting:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
