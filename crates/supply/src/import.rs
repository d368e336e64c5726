//! EPCIS / GDST import (see docs/gdst.md).
