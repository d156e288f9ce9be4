"""GET /metrics: Prometheus text format, checked by the Prometheus client
library's own parser (Debian's python3-prometheus-client), with figures that
follow the requests made."""
import unittest

from prometheus_client.parser import text_string_to_metric_families

from apserver import Server, Workspace, event


class Metrics(unittest.TestCase):
    def test_metrics_parse_and_count(self):
        ws = Workspace("ap-metrics-")
        try:
            ws.create_account("acme")
            token = ws.create_token("acme", "ingest")
            with Server(ws.db) as server:
                evs = [event("e1", "conversation.started", channel="chat"),
                       event("e1", "conversation.started", channel="chat"),
                       event("e1", "conversation.started", channel="email"),
                       {"id": "bad", "type": "nope"}]
                self.assertEqual(server.post_events(evs, token).status, 200)
                self.assertEqual(server.request("GET", "/v1/reports", token=token).status, 403)
                self.assertEqual(server.request("GET", "/nowhere").status, 404)
                r = server.request("GET", "/metrics")
                self.assertEqual(r.status, 200)
                self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
                families = {f.name: f for f in text_string_to_metric_families(r.body.decode())}
        finally:
            ws.cleanup()

        def value(family, **labels):
            for s in families[family].samples:
                if all(s.labels.get(k) == v for k, v in labels.items()):
                    return s.value
            return None

        self.assertEqual(families["agentperf_http_requests"].type, "counter")
        self.assertEqual(value("agentperf_http_requests", route="/v1/events", status="200"), 1)
        self.assertEqual(value("agentperf_http_requests", route="/v1/reports", status="403"), 1)
        self.assertEqual(value("agentperf_http_requests", route="unmatched", status="404"), 1)
        self.assertEqual(families["agentperf_http_request_duration_seconds"].type, "histogram")
        inf = [s for s in families["agentperf_http_request_duration_seconds"].samples
               if s.name.endswith("_bucket") and s.labels["route"] == "/v1/events"
               and s.labels["le"] == "+Inf"]
        self.assertEqual(inf[0].value, 1)
        for verdict, n in [("stored", 1), ("duplicate", 1), ("conflict", 1), ("rejected", 1)]:
            self.assertEqual(value("agentperf_events", verdict=verdict), n, verdict)
        self.assertEqual(value("agentperf_store_errors"), 0)
        self.assertGreater(value("agentperf_db_bytes", file="db"), 0)


if __name__ == "__main__":
    unittest.main()
