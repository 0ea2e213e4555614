# python3-cryptography (Debian's, for /usr/bin/python3): an RSA 3072 root signing with SHA-384,
# ECDSA P-256 devices, a CRL with a reason.
set -eu
/usr/bin/python3 - <<'PY'
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

now = datetime.datetime.utcnow()
def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def write(path, data):
    with open(path, "wb") as f:
        f.write(data)

ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
ca = (x509.CertificateBuilder().subject_name(name("python root")).issuer_name(name("python root"))
      .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
      .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
      .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
      .sign(ca_key, hashes.SHA384()))
write("ca.crt", ca.public_bytes(serialization.Encoding.PEM))
serials = {}
for d in ("good", "revoked"):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("admin:python" + d)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA384()))
    serials[d] = cert.serial_number
    write(d + ".crt", cert.public_bytes(serialization.Encoding.PEM))
    write(d + ".key", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
revoked = (x509.RevokedCertificateBuilder().serial_number(serials["revoked"]).revocation_date(now)
           .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(now)
       .next_update(now + datetime.timedelta(days=2)).add_revoked_certificate(revoked)
       .add_extension(x509.CRLNumber(1), critical=False).sign(ca_key, hashes.SHA384()))
write("crl.pem", crl.public_bytes(serialization.Encoding.PEM))
PY
