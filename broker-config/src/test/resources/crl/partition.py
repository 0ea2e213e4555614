# A partition CRL made by python3-cryptography (Debian's, for /usr/bin/python3), as AWS Private CA
# makes them: DER, a critical Issuing Distribution Point naming the partition's URL, end entities only.
# Arguments: CA certificate (PEM), CA key (PEM), partition URL, CRL number, output file, revoked serials (decimal).
import sys
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

ca = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), password=None)
url, number, out = sys.argv[3], int(sys.argv[4]), sys.argv[5]
now = datetime.utcnow()
idp = x509.IssuingDistributionPoint(
    full_name=[x509.UniformResourceIdentifier(url)], relative_name=None,
    only_contains_user_certs=True, only_contains_ca_certs=False, only_some_reasons=None,
    indirect_crl=False, only_contains_attribute_certs=False)
builder = (x509.CertificateRevocationListBuilder()
           .issuer_name(ca.subject)
           .last_update(now - timedelta(minutes=1))
           .next_update(now + timedelta(days=1))
           .add_extension(x509.CRLNumber(number), critical=False)
           .add_extension(idp, critical=True))
for serial in sys.argv[6:]:
    builder = builder.add_revoked_certificate(
        x509.RevokedCertificateBuilder().serial_number(int(serial)).revocation_date(now - timedelta(minutes=1)).build())
crl = builder.sign(private_key=key, algorithm=hashes.SHA256())
open(out, "wb").write(crl.public_bytes(serialization.Encoding.DER))
