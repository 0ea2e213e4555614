# strongSwan pki: an ECDSA P-256 root, Ed25519 devices, a CRL listing the revoked one.
set -eu
pki --gen --type ecdsa --size 256 --outform pem > ca.key
pki --self --ca --type ecdsa --in ca.key --dn "CN=strongswan root" --lifetime 2 --outform pem > ca.crt
for d in good revoked; do
  pki --gen --type ed25519 --outform pem > "$d.key"
  pki --pub --type priv --in "$d.key" \
    | pki --issue --cacert ca.crt --cakey ca.key --dn "CN=admin:swan$d" --flag clientAuth --lifetime 2 \
      --outform pem > "$d.crt"
done
pki --signcrl --cacert ca.crt --cakey ca.key --cert revoked.crt --reason key-compromise --lifetime 2 \
  --outform pem > crl.pem
