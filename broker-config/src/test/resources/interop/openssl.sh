# OpenSSL's own CA (openssl ca): an RSA 2048 root signs two devices' CSRs, revokes one, writes the CRL.
set -eu
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=openssl ca root" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
mkdir -p newcerts && : > index.txt && echo 1000 > serial && echo 1000 > crlnumber
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
certificate = ./ca.crt
private_key = ./ca.key
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_days = 2
default_crl_days = 2
policy = policy_any
x509_extensions = client
[ policy_any ]
commonName = supplied
[ client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
CNF
for d in good revoked; do
  openssl genrsa -out "$d.key" 2048
  openssl req -new -key "$d.key" -subj "/CN=admin:openssl$d" -out "$d.csr"
  openssl ca -batch -config ca.cnf -in "$d.csr" -out "$d.crt" -notext
done
openssl ca -config ca.cnf -revoke revoked.crt -crl_reason keyCompromise
openssl ca -gencrl -config ca.cnf -out crl.pem
