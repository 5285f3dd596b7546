"""Create django-oauth-toolkit's tables and the benchmark's client (run once in the scratch dir).

    BENCH_DOT_DIR=... python setup_app.py CLIENT_ID CLIENT_SECRET
"""

import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_dot.settings")
work = os.environ["BENCH_DOT_DIR"]
pem_path = os.path.join(work, "rs256.pem")
if not os.path.exists(pem_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(pem_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))

import django

django.setup()
from django.core.management import call_command
from oauth2_provider.models import Application

call_command("migrate", verbosity=0)
client_id, secret = sys.argv[1], sys.argv[2]
Application.objects.filter(client_id=client_id).delete()
# hash_client_secret=False: the default (True) checks the secret with Django's PBKDF2 password hasher
# (over a million iterations) on every request, which would measure the hasher, not the token endpoint.
Application.objects.create(name="bench", client_id=client_id, client_secret=secret, hash_client_secret=False,
                           client_type=Application.CLIENT_CONFIDENTIAL,
                           authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
print("ready")
