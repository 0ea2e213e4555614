# NSS certutil and crlutil: an RSA 2048 root, ECDSA P-256 devices, a CRL; keys leave NSS as PKCS#12.
set -eu
echo nss-db-password > pw.txt && echo p12-password > p12pw.txt
head -c 64 /dev/urandom > noise
mkdir db && certutil -N -d sql:db -f pw.txt
printf 'y\n-1\ny\n' | certutil -S -d sql:db -f pw.txt -z noise -n root -s "CN=nss root" -x -t "CT,C,C" \
  -k rsa -g 2048 -Z SHA256 -v 1 -2 --keyUsage certSigning,crlSigning
serial=1001
for d in good revoked; do
  certutil -S -d sql:db -f pw.txt -z noise -n "$d" -s "CN=admin:nss$d" -c root -t ",," -k ec -q nistp256 \
    -Z SHA256 -v 1 -m "$serial" --keyUsage digitalSignature --extKeyUsage clientAuth
  certutil -L -d sql:db -n "$d" -a > "$d.crt"
  pk12util -o "$d.p12" -n "$d" -d sql:db -k pw.txt -w p12pw.txt
  openssl pkcs12 -in "$d.p12" -nocerts -nodes -passin file:p12pw.txt | openssl pkey -out "$d.key"
  serial=$((serial + 1))
done
certutil -L -d sql:db -n root -a > ca.crt
now=$(date -u +%Y%m%d%H%M%SZ)
next=$(date -u -d '+2 days' +%Y%m%d%H%M%SZ)
printf 'update=%s\nnextupdate=%s\naddcert 1002 %s\n' "$now" "$next" "$now" > crl.script
crlutil -G -d sql:db -f pw.txt -n root -c crl.script -Z SHA256 -o crl.der
