# GnuTLS certtool: an ECDSA P-384 root, Ed25519 devices, a CRL listing the revoked one.
set -eu
certtool --generate-privkey --key-type=ecdsa --curve=secp384r1 --outfile ca.key
printf 'cn = "gnutls root"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 2\n' > ca.tmpl
certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.crt
for d in good revoked; do
  certtool --generate-privkey --key-type=ed25519 --outfile "$d.key"
  printf 'cn = "admin:gnutls%s"\ntls_www_client\nsigning_key\nexpiration_days = 2\n' "$d" > "$d.tmpl"
  certtool --generate-certificate --load-privkey "$d.key" --load-ca-certificate ca.crt \
    --load-ca-privkey ca.key --template "$d.tmpl" --outfile "$d.crt"
done
printf 'crl_next_update = 2\ncrl_number = 1\n' > crl.tmpl
certtool --generate-crl --load-ca-privkey ca.key --load-ca-certificate ca.crt \
  --load-certificate revoked.crt --template crl.tmpl --outfile crl.pem
