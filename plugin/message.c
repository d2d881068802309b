/*
 * message.c - building Kannel messages for texts (see message.h).
 */
#include "gw/sms.h"
#include "gwlib/gw_uuid.h"

#include "gsm.h"
#include "message.h"

void outgoing_text_destroy(OutgoingText *text)
{
    if (text == NULL)
        return;
    octstr_destroy(text->message_id);
    octstr_destroy(text->token);
    octstr_destroy(text->recipient);
    octstr_destroy(text->body);
    gw_free(text);
}

void outgoing_text_destroy_item(void *text)
{
    outgoing_text_destroy(text);
}

/* Kannel carries 7-bit text as UTF-8 and converts it at the SMSC driver;
 * UCS-2 must already be UTF-16 big-endian. */
static void set_text(Msg *msg, Octstr *body)
{
    msg->sms.msgdata = octstr_duplicate(body);
    msg->sms.charset = octstr_create("UTF-8");
    if (gsm_septet_count(body) >= 0) {
        msg->sms.coding = DC_7BIT;
        return;
    }
    msg->sms.coding = DC_UCS2;
    if (charset_convert(msg->sms.msgdata, "UTF-8", "UTF-16BE") != 0)
        warning(0, "absencebox: could not convert a text to UCS-2; sending it as it is");
    octstr_destroy(msg->sms.charset);
    msg->sms.charset = octstr_create("UTF-16BE");
}

Msg *message_for_text(const OutgoingText *text, const AbsenceConfig *config)
{
    Msg *msg = msg_create(sms);

    if (uuid_parse(octstr_get_cstr(text->message_id), msg->sms.id) != 0) {
        error(0, "absencebox: notification %ld has a malformed message id <%s>",
              text->notification_id, octstr_get_cstr(text->message_id));
        msg_destroy(msg);
        return NULL;
    }
    msg->sms.sms_type = mt_push;
    msg->sms.sender = octstr_duplicate(config->box.sender);
    msg->sms.receiver = octstr_duplicate(text->recipient);
    set_text(msg, text->body);
    msg->sms.time = time(NULL);
    msg->sms.validity = text->expires_epoch;
    msg->sms.dlr_mask = MESSAGE_DLR_MASK;
    msg->sms.dlr_url = octstr_duplicate(text->token);
    msg->sms.boxc_id = octstr_duplicate(config->box.id);
    msg->sms.service = octstr_create("absencebox");
    if (octstr_len(config->box.smsc_id) > 0)
        msg->sms.smsc_id = octstr_duplicate(config->box.smsc_id);
    return msg;
}

Msg *message_ack_for(Msg *incoming)
{
    Msg *reply = msg_create(ack);

    reply->ack.nack = ack_success;
    reply->ack.time = incoming->sms.time;
    uuid_copy(reply->ack.id, incoming->sms.id);
    return reply;
}

int message_is_report(Msg *msg)
{
    return msg_type(msg) == sms && msg->sms.sms_type == report_mo;
}

Octstr *message_id_text(Msg *msg)
{
    char id[UUID_STR_LEN + 1];

    uuid_unparse(msg_type(msg) == ack ? msg->ack.id : msg->sms.id, id);
    return octstr_create(id);
}
