"""Certificates (giấy chứng nhận): codes, issuing and revoking, the organizer's template, PDF, verification, bulk, share image."""
