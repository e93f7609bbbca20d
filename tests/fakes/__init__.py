"""Local stand-ins for the network services the publisher talks to.

Each one speaks the real wire protocol on 127.0.0.1, so the real client libraries run unmodified
in the tests.
"""
