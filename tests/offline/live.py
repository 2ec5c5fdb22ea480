"""A real HTTP server for an app, in a thread, that can be switched off and on again on the same
port: for the browser tests and the benchmark, "no network" is a refused connection, which is
what a service worker and a page really meet, not a simulated answer."""
import threading

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app, host="127.0.0.1", port=0):
        self.app, self.host, self.port = app, host, port
        self._srv = self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _wsgi(self, environ, start_response):
        # No keep-alive: once stopped, nothing can reach the app through an old connection.
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Connection", "close")], exc_info)
        return self.app(environ, start)

    def start(self):
        self._srv = make_server(self.host, self.port, self._wsgi, threaded=True)
        self.port = self._srv.server_port
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._srv is not None:
            self._srv.shutdown()
            self._srv.server_close()
            self._thread.join()
            self._srv = None
