#!/bin/bash
# claimed by qmpmend (session 16)
echo "1..0 # SKIP not written yet"
