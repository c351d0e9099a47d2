"""What every real marketplace client stands on: the endpoint table with quotas and batch
limits (``quotas``), the host URLs (``hosts``), the limiter all workers share (``limiter``),
the HTTP client with retries and error mapping (``client``), each marketplace's auth
(``auth``, ``token_store``, ``credentials``) and the checking of replies (``validation``).

The per-marketplace clients (WB, Ozon Seller, Ozon Performance, YM) build on these and
implement the ports; nothing here knows a port's shapes or units.
"""
