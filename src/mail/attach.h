/*
 * attach.h - look inside an attachment: archive members, encryption,
 * Office macros.
 *
 * Archives (zip, 7z, rar, tar, and those compressed with gzip/bzip2/xz)
 * are listed with libarchive, headers only: member names and whether any
 * member is encrypted (an encrypted archive is how malware gets past
 * scanners; the password sits in the mail text). Office documents:
 * OOXML files are zips, and a vbaProject.bin member means macros; legacy
 * OLE2 files (.doc, .xls) carry a "_VBA_PROJECT" stream whose name is
 * stored in UTF-16LE in the compound file directory, which a byte search
 * finds without a CFB parser.
 *
 * Memory: fills fields of the mail_attachment_t (members owned by it).
 * Limits: ATTACH_MAX_MEMBERS names kept, ATTACH_MAX_ENTRIES entries read;
 * nothing is decompressed beyond what listing needs.
 */
#ifndef SG_MAIL_ATTACH_H
#define SG_MAIL_ATTACH_H

#include <stddef.h>

#include "mail/message.h"

#define ATTACH_MAX_MEMBERS 50
#define ATTACH_MAX_ENTRIES 1000

void attach_inspect(mail_attachment_t *a, const char *bytes, size_t len);

#endif
