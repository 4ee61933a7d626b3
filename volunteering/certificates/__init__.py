"""Service-record certificates (志愿服务记录证明): issued as PDFs, verifiable by number."""
