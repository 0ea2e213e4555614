# cfssl: an ECDSA P-256 root, RSA 2048 devices, a CRL (bare base64, as cfssl gencrl prints it).
set -eu
echo '{"CN":"cfssl root","key":{"algo":"ecdsa","size":256},"ca":{"expiry":"48h"}}' > ca-csr.json
cfssl gencert -initca ca-csr.json | cfssljson -bare ca
mv ca.pem ca.crt
echo '{"signing":{"profiles":{"client":{"usages":["signing","digital signature","client auth"],"expiry":"48h"}}}}' > config.json
for d in good revoked; do
  echo "{\"CN\":\"admin:cfssl$d\",\"key\":{\"algo\":\"rsa\",\"size\":2048}}" > "$d.json"
  cfssl gencert -ca ca.crt -ca-key ca-key.pem -config config.json -profile client "$d.json" | cfssljson -bare "$d"
  mv "$d.pem" "$d.crt" && mv "$d-key.pem" "$d.key"
done
# cfssl gencrl takes serials in decimal.
openssl x509 -in revoked.crt -noout -serial | cut -d= -f2 | python3 -c 'import sys; print(int(sys.stdin.read().strip(), 16))' > serials.txt
cfssl gencrl serials.txt ca.crt ca-key.pem > crl.b64
