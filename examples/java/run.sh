#!/usr/bin/env bash
# The Java example: a JAX-WS client generated from the served WSDL by wsimport, compiled with SyncLead.java.
# Needs MOCKMKTO_URL (e.g. http://127.0.0.1:8080), MOCKMKTO_USER_ID and MOCKMKTO_SECRET.
set -euo pipefail
cd "$(dirname "$0")"
: "${MOCKMKTO_URL:?}" "${MOCKMKTO_USER_ID:?}" "${MOCKMKTO_SECRET:?}"
bash install.sh

# A build folder of this run's own, so that runs side by side never share one.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
mkdir "$build/generated" "$build/classes"
# jaxws-rt.jar's manifest names the rest of the runtime (JAXB, SAAJ, ...) on its Class-Path.
classpath=/usr/share/java/jaxws-rt.jar
# -XadditionalHeaders: the AuthenticationHeader becomes a parameter of each operation, as in Marketo's Java sample.
wsimport -quiet -Xnocompile -XadditionalHeaders -p com.marketo.mktows -s "$build/generated" \
  "$MOCKMKTO_URL/soap/mktows/2_6?WSDL"
find "$build/generated" -name '*.java' >"$build/sources.txt"
javac -nowarn -cp "$classpath" -d "$build/classes" SyncLead.java @"$build/sources.txt"
# The property quiets SAAJ's warning about how the runtime jar names its factory.
java -Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl \
  -cp "$classpath:$build/classes" SyncLead
