# A partition CRL made by python3-cryptography (Debian's, for /usr/bin/python3), as AWS Private CA
# makes them: DER, a critical Issuing Distribution Point naming the partition's URL, end entities only.
# Usage: partition.py [--freshest URL] [--delta-base N] CA_CERT CA_KEY PARTITION_URL NUMBER OUT [SERIAL...]
#   CA certificate and key in PEM, revoked serials in decimal; --freshest names where the deltas are
#   (a Freshest CRL extension, as AD CS and EJBCA write in a base), --delta-base makes it a delta CRL
#   on that base number (a critical delta CRL indicator).
import argparse
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

parser = argparse.ArgumentParser()
parser.add_argument("--freshest")
parser.add_argument("--delta-base", type=int)
parser.add_argument("ca")
parser.add_argument("key")
parser.add_argument("url")
parser.add_argument("number", type=int)
parser.add_argument("out")
parser.add_argument("serials", nargs="*")
args = parser.parse_args()

ca = x509.load_pem_x509_certificate(open(args.ca, "rb").read())
key = serialization.load_pem_private_key(open(args.key, "rb").read(), password=None)
now = datetime.utcnow()
idp = x509.IssuingDistributionPoint(
    full_name=[x509.UniformResourceIdentifier(args.url)], relative_name=None,
    only_contains_user_certs=True, only_contains_ca_certs=False, only_some_reasons=None,
    indirect_crl=False, only_contains_attribute_certs=False)
builder = (x509.CertificateRevocationListBuilder()
           .issuer_name(ca.subject)
           .last_update(now - timedelta(minutes=1))
           .next_update(now + timedelta(days=1))
           .add_extension(x509.CRLNumber(args.number), critical=False)
           .add_extension(idp, critical=True))
if args.freshest:
    builder = builder.add_extension(x509.FreshestCRL([x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(args.freshest)], relative_name=None,
        reasons=None, crl_issuer=None)]), critical=False)
if args.delta_base is not None:
    builder = builder.add_extension(x509.DeltaCRLIndicator(args.delta_base), critical=True)
for serial in args.serials:
    builder = builder.add_revoked_certificate(
        x509.RevokedCertificateBuilder().serial_number(int(serial)).revocation_date(now - timedelta(minutes=1)).build())
crl = builder.sign(private_key=key, algorithm=hashes.SHA256())
open(args.out, "wb").write(crl.public_bytes(serialization.Encoding.DER))
