# easy-rsa: its default RSA root, two client certificates, one revoked, the CRL.
set -eu
export EASYRSA_BATCH=1 EASYRSA_PKI="$PWD/pki"
easyrsa=/usr/share/easy-rsa/easyrsa
"$easyrsa" init-pki
"$easyrsa" --req-cn="easy-rsa root" build-ca nopass
for d in good revoked; do
  "$easyrsa" build-client-full "admin:easyrsa$d" nopass
  cp "pki/issued/admin:easyrsa$d.crt" "$d.crt" && cp "pki/private/admin:easyrsa$d.key" "$d.key"
done
"$easyrsa" revoke admin:easyrsarevoked
"$easyrsa" gen-crl
cp pki/ca.crt ca.crt && cp pki/crl.pem crl.pem
