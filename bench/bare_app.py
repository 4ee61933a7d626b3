"""The baseline for ``bench.redemption_bench``: a bare Flask app answering the same two POSTs.

No database, no auth, no validation: what gunicorn and Flask cost on their own.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/redemptions")
def reserve():
    body = request.get_json()
    return jsonify(redemption_id=1, code="ABCDE-FGHJK", perk_id=body["perk_id"]), 201


@app.post("/api/v1/merchant/redemptions/confirm")
def confirm():
    body = request.get_json()
    return jsonify(redemption_id=1, status="fulfilled", code=body["code"])
